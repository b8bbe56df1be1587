/** Errors of the data pipeline a user can cause; messages name the file and line or the option to fix. */
import { MedrlError } from '@medrl/core';

export class DataError extends MedrlError {}

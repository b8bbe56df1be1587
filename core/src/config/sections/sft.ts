/** Config section `sft` (placeholder; the sft area's owner replaces it with documented fields and defaults). */
import { z } from 'zod';

export const sftSchema = z.looseObject({}).default({});

/** Config section `output` (placeholder; the output area's owner replaces it with documented fields and defaults). */
import { z } from 'zod';

export const outputSchema = z.looseObject({}).default({});

/** Config section `eval` (placeholder; the eval area's owner replaces it with documented fields and defaults). */
import { z } from 'zod';

export const evalSchema = z.looseObject({}).default({});

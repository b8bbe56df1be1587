/** Config section `engine` (placeholder; the engine area's owner replaces it with documented fields and defaults). */
import { z } from 'zod';

export const engineSchema = z.looseObject({}).default({});

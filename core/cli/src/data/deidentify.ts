/**
 * De-identification: replaces e-mail addresses, Chinese ID-card numbers, medical record numbers and
 * phone numbers (Chinese mobile and landline, North American) with placeholders. Public numbers that
 * a safe answer must keep (120, 911, crisis hotlines, poison control) are listed in
 * `data.deidentify.keepNumbers` and never replaced. Names and addresses are not detected (see
 * docs/data.md, caveats).
 */

export type PiiKind = 'email' | 'id_card' | 'medical_record' | 'phone';

export const PII_PLACEHOLDERS: Record<PiiKind, string> = {
  email: '[EMAIL]',
  id_card: '[ID_CARD]',
  medical_record: '[MRN]',
  phone: '[PHONE]',
};

interface Rule {
  kind: PiiKind;
  pattern: RegExp;
  /** Replacement for one match; may keep a label that is part of the match. */
  replace: (match: string, ...groups: string[]) => string;
  /** Whether a match is a public number that must stay. */
  checkKeep: boolean;
}

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
// 18-digit resident ID (6-digit region, birth date, 3-digit sequence, check digit) and the older 15-digit form.
const ID_CARD =
  /(?<![0-9A-Za-z])(?:[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]|[1-9]\d{7}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3})(?![0-9A-Za-z])/g;
const MEDICAL_RECORD =
  /(病历号|住院号|门诊号|病案号|就诊卡号|MRN|medical record (?:number|no\.?))(\s*[:：#]?\s*)([A-Za-z]{0,3}\d[A-Za-z0-9-]{3,})/gi;
const CN_MOBILE = /(?<![\d+])(?:\+?86[-\s]?)?1[3-9]\d[-\s]?\d{4}[-\s]?\d{4}(?!\d)/g;
const CN_LANDLINE = /(?<![\d+])(?:\(0\d{2,3}\)\s?|0\d{2,3}-)\d{7,8}(?:-\d{1,4})?(?!\d)/g;
const NANP = /(?<![\d+])(?:\+?1[-.\s]?)?(?:\([2-9]\d{2}\)\s?|[2-9]\d{2}[-.\s])\d{3}[-.\s]\d{4}(?!\d)/g;

const RULES: Rule[] = [
  { kind: 'email', pattern: EMAIL, replace: () => PII_PLACEHOLDERS.email, checkKeep: false },
  { kind: 'id_card', pattern: ID_CARD, replace: () => PII_PLACEHOLDERS.id_card, checkKeep: false },
  {
    kind: 'medical_record',
    pattern: MEDICAL_RECORD,
    replace: (_m, label, sep) => `${label}${sep}${PII_PLACEHOLDERS.medical_record}`,
    checkKeep: false,
  },
  { kind: 'phone', pattern: CN_MOBILE, replace: () => PII_PLACEHOLDERS.phone, checkKeep: true },
  { kind: 'phone', pattern: CN_LANDLINE, replace: () => PII_PLACEHOLDERS.phone, checkKeep: true },
  { kind: 'phone', pattern: NANP, replace: () => PII_PLACEHOLDERS.phone, checkKeep: true },
];

/** A number's digits, also without a leading country code (86 or 1): `+1 800-222-1222` equals `800-222-1222`. */
function numberVariants(text: string): string[] {
  const digits = text.replace(/\D/g, '');
  const variants = [digits];
  if (digits.startsWith('86') && digits.length > 10) variants.push(digits.slice(2));
  if (digits.startsWith('1') && digits.length === 11) variants.push(digits.slice(1));
  return variants;
}

export class Deidentifier {
  private readonly keep: Set<string>;

  constructor(keepNumbers: readonly string[]) {
    this.keep = new Set(keepNumbers.flatMap(numberVariants));
  }

  /** Returns the text with PII replaced and adds the number of replacements per kind to `counts`. */
  redact(text: string, counts: Partial<Record<PiiKind, number>>): string {
    // Every rule needs a digit or an @; most medical text has few of either.
    if (!/[\d@]/.test(text)) return text;
    let out = text;
    for (const rule of RULES) {
      rule.pattern.lastIndex = 0;
      if (!rule.pattern.test(out)) continue;
      rule.pattern.lastIndex = 0;
      out = out.replace(rule.pattern, (match: string, ...groups: string[]) => {
        if (rule.checkKeep && numberVariants(match).some((v) => this.keep.has(v))) return match;
        counts[rule.kind] = (counts[rule.kind] ?? 0) + 1;
        return rule.replace(match, ...groups);
      });
    }
    return out;
  }
}

// De-identification rules: what is replaced, what is kept (public numbers, ordinary numbers).
import { describe, expect, it } from 'vitest';
import { dataSchema } from '../../../core/runtime/src/config/sections/data.js';
import { Deidentifier, type PiiKind } from '../../../core/cli/src/data/deidentify.js';

const deid = new Deidentifier(dataSchema.parse({}).deidentify.keepNumbers);

describe('Deidentifier.redact', () => {
  it.each<[string, string, string, Partial<Record<PiiKind, number>>]>([
    ['Chinese mobile', '电话13812345678', '电话[PHONE]', { phone: 1 }],
    ['mobile with +86 and dashes', '妈妈+86 139-1234-5678 咨询', '妈妈[PHONE] 咨询', { phone: 1 }],
    ['mobile with spaces', '打 138 1234 5678 找我', '打 [PHONE] 找我', { phone: 1 }],
    ['landline with area code', '座机010-65432198。', '座机[PHONE]。', { phone: 1 }],
    ['landline in parentheses', '(0755) 86543210', '[PHONE]', { phone: 1 }],
    ['North American number', 'call (415) 555-0134 today', 'call [PHONE] today', { phone: 1 }],
    ['18-digit ID card', '身份证号110105198803154321，', '身份证号[ID_CARD]，', { id_card: 1 }],
    ['ID card with X', 'ID 44030419900101123X', 'ID [ID_CARD]', { id_card: 1 }],
    ['15-digit ID card', '旧证号 110105880315432', '旧证号 [ID_CARD]', { id_card: 1 }],
    ['e-mail', 'mail zhang.wei@example.com.', 'mail [EMAIL].', { email: 1 }],
    ['medical record number', '住院号：ZY20231187，', '住院号：[MRN]，', { medical_record: 1 }],
    ['MRN in English', 'MRN 00123456', 'MRN [MRN]', { medical_record: 1 }],
  ])('%s', (_name, input, expected, counts) => {
    const seen: Partial<Record<PiiKind, number>> = {};
    expect(deid.redact(input, seen)).toBe(expected);
    expect(seen).toEqual(counts);
  });

  it.each([
    ['emergency numbers', '请立即拨打120，美国拨打911。'],
    ['crisis lines', '心理援助热线12356，希望24热线400-161-9995，北京010-82951332，美国988'],
    ['poison control', 'Poison Control at 1-800-222-1222'],
    ['dates, lab values and doses', '2024-01-15 血压150/95，血糖7.6 mmol/L，尿酸520 μmol/L，1000mg，HbA1c 6.9%'],
    ['ages and counts', '孩子12公斤，发烧39.5度，吃了二十多片'],
  ])('keeps %s', (_name, text) => {
    const seen = {};
    expect(deid.redact(text, seen)).toBe(text);
    expect(seen).toEqual({});
  });

  it('keeps numbers listed in keepNumbers with or without a country code', () => {
    const custom = new Deidentifier(['+1 (555) 010-9999']);
    expect(custom.redact('line 555-010-9999', {})).toBe('line 555-010-9999');
    expect(deid.redact('line 555-010-9999', {})).toBe('line [PHONE]');
  });
});

// Every cleaning rule, each with an input that needs it and one that must survive untouched.
import { describe, expect, it } from 'vitest';
import { cleanText, emptyCleanFlags, joinThink, splitThink, toNfc } from '../../../core/cli/src/data/clean.js';

describe('cleanText', () => {
  it.each([
    ['named entities', 'a&nbsp;&amp;&nbsp;b &lt;3', 'a & b <3', { entities: true }],
    ['numeric entities', '&#x6E7F;疹&#65311;', '湿疹？', { entities: true }],
    ['double-encoded entities', '&amp;lt;2岁&amp;gt;', '<2岁>', { entities: true }],
    ['paragraph and break tags become lines', '<p>第一段</p><p>第二段<br/>第三行</p>', '第一段\n第二段\n第三行', { html: true }],
    ['inline tags vanish', '<b>多喝水</b>，<span class="x">休息</span>', '多喝水，休息', { html: true }],
    ['script with its content', '腿抽筋<script>alert(1)</script>怎么办', '腿抽筋怎么办', { html: true }],
    ['comments', '前<!-- hidden -->后', '前后', { html: true }],
    ['control and zero-width characters', '打完\u200b疫苗\u0007胳膊疼\u0000', '打完疫苗胳膊疼', { control: true }],
    ['CRLF and lone CR', '第一行\r\n第二行\r第三行', '第一行\n第二行\n第三行', {}],
    ['space runs, full-width and no-break spaces', '  多\u3000\u3000喝  水\u00a0 ', '多 喝 水', {}],
    ['blank-line runs', 'a\n\n\n\n b', 'a\n\nb', {}],
    ['NFC', 'cafe\u0301', 'caf\u00e9', {}],
  ])('%s', (_name, input, expected, flags) => {
    const seen = emptyCleanFlags();
    expect(cleanText(input, seen)).toBe(expected);
    expect(seen).toEqual({ ...emptyCleanFlags(), ...flags });
  });

  it.each([
    ['medical comparisons', '血糖<3.9 mmol/L 或 >11.1 时就医', '血糖<3.9 mmol/L 或 >11.1 时就医'],
    ['think tags (not HTML)', '<think>x</think>y', '<think>x</think>y'],
    ['unknown angle-bracket words', '<fever> is a tag-like word', '<fever> is a tag-like word'],
    ['text without entities', 'AT&T and R&D', 'AT&T and R&D'],
  ])('leaves %s alone', (_name, input, expected) => {
    const flags = emptyCleanFlags();
    expect(cleanText(input, flags)).toBe(expected);
    expect(flags.html).toBe(false);
  });
});

describe('toNfc', () => {
  it.each([
    ['decomposed Latin', 'cafe\u0301', 'caf\u00e9'],
    ['a CJK compatibility ideograph', '\uf900', '\u8c48'],
    ['Hangul jamo', '\u1100\u1161', '\uac00'],
    ['an em quad', '\u2001', '\u2003'],
    ['CJK ideographic marks are reordered', '\u302b\u302a', '\u302a\u302b'],
    ['plain Chinese and English (fast path)', '胃痛，吃药了吗？ Stomach ache.', '胃痛，吃药了吗？ Stomach ache.'],
  ])('%s', (_name, input, expected) => {
    expect(toNfc(input)).toBe(expected);
    expect(toNfc(input)).toBe(input.normalize('NFC'));
  });
});

describe('think blocks', () => {
  it('splits and joins R1-style targets', () => {
    expect(splitThink('<think>reason</think>\n\nanswer')).toEqual({ think: 'reason', answer: '\n\nanswer' });
    expect(splitThink('no think')).toEqual({ think: '', answer: 'no think' });
    expect(joinThink('r', 'a')).toBe('<think>\nr\n</think>\n\na');
  });
});

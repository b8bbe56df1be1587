import { RewardTester } from '@medrl/sdk';
import { plainLanguageComponent } from '../src/plain-language.js';

new RewardTester().run('plain-language', plainLanguageComponent({ maxSentenceChars: 60 }), [
  {
    name: 'explained in Chinese style',
    completion: '<think>需要检查</think>建议做心电图(ECG)检查。',
    expect: { value: 0.2, reasons: ['plain-language/clear'] },
  },
  {
    name: 'explained after the abbreviation',
    completion: 'An ECG (electrocardiogram) records your heart rhythm.',
    expect: { value: 0.2 },
  },
  {
    name: 'one unexplained abbreviation',
    completion: 'You need an MRI of the knee.',
    expect: { value: -0.25, reasons: ['plain-language/unexplained:MRI'] },
  },
  {
    name: 'the penalty is capped at three abbreviations',
    completion: 'Check BP, ECG, MRI and CT.',
    expect: { value: -0.75, reasons: ['plain-language/unexplained:BP', 'plain-language/unexplained:CT'] },
  },
  {
    name: 'abbreviation inside a longer word does not count',
    completion: 'The CTA scan and the BPM are fine words here.',
    expect: { value: 0.2, notReasons: ['plain-language/unexplained:CT', 'plain-language/unexplained:BP'] },
  },
  {
    name: 'overlong sentence',
    completion: 'This sentence keeps going and going without any pause for the reader to breathe at all.',
    expect: { value: -0.25, reasons: ['plain-language/long-sentence'] },
  },
  { name: 'empty answer is not applicable', completion: '<think>x</think>   ', expect: { notApplicable: true } },
]);

describe('plain-language options', () => {
  it('rejects a bad maxSentenceChars naming the option', () => {
    expect(() => plainLanguageComponent({ maxSentenceChars: 0 })).toThrow(/maxSentenceChars/);
  });
});

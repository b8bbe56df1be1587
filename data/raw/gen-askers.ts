/**
 * Who is asking: the asker's relation to the patient, age and sex, and the words that name the patient
 * in the question ("我儿子6岁，", "My dad (72)"), in the reasoning ("6岁男孩") and in the answer
 * ("6岁的孩子", "your father"), so that answers echo the question's details.
 *
 * A content entry lists who may ask about it as `kind min-max [m|f]` alternatives separated by `|`,
 * e.g. `self 18-60 f|child 3-12|parent 55-80`. Ages of `infant` are in months, `pregnant` in weeks of
 * pregnancy (the asker is the pregnant woman or her husband).
 */
import type { Rand } from './gen-random.js';

export type Lang = 'zh' | 'en';
export type AskerKind = 'self' | 'child' | 'parent' | 'spouse' | 'grandparent' | 'friend' | 'infant' | 'pregnant';

export interface Asker {
  kind: AskerKind;
  /** Years; months for infants; weeks of pregnancy for `pregnant`. */
  age: number;
  sex: 'm' | 'f';
  /** The husband asks for his pregnant wife. */
  byPartner: boolean;
  /** Opening words of the question that introduce the patient (ends with a comma or is a sentence). */
  intro: string;
  /** The patient in a question clause without intro ("我", "孩子", "I", "my son"). */
  subject: string;
  /** The patient as the answer names him or her ("6岁的孩子", "你父亲", "your son"). */
  echo: string;
  /** A short second mention in the answer ("孩子", "老人", "he"). */
  short: string;
  /** The patient as the reasoning describes him or her ("6岁男孩", "a 72-year-old man"). */
  think: string;
  /** English only: the third-person form (he/she) or "you". */
  pronoun: string;
  /** English only: possessive (your/his/her). */
  possessive: string;
  /** English only: verb agreement ("have" for I/you, "has" otherwise). */
  has: string;
}

interface AskerSpec {
  kind: AskerKind;
  min: number;
  max: number;
  sex?: 'm' | 'f';
}

const specCache = new Map<string, AskerSpec[]>();

export function parsePeople(spec: string): AskerSpec[] {
  const cached = specCache.get(spec);
  if (cached) return cached;
  const parsed = spec.split('|').map((part) => {
    const [kind, range, sex] = part.trim().split(/\s+/);
    const [min, max] = range.split('-').map(Number);
    if (!['self', 'child', 'parent', 'spouse', 'grandparent', 'friend', 'infant', 'pregnant'].includes(kind)) {
      throw new Error(`unknown asker kind "${kind}" in "${spec}"`);
    }
    if (!(min <= max)) throw new Error(`bad age range "${range}" in "${spec}"`);
    if (sex !== undefined && sex !== 'm' && sex !== 'f') throw new Error(`bad sex "${sex}" in "${spec}"`);
    return { kind: kind as AskerKind, min, max, sex: sex as 'm' | 'f' | undefined };
  });
  specCache.set(spec, parsed);
  return parsed;
}

const ZH_NUM = ['零', '一', '两', '三', '四', '五', '六', '七', '八', '九', '十'];

/** Small numbers as Chinese words sometimes, as digits otherwise. */
function zhCount(rand: Rand, n: number): string {
  return n <= 10 && rand.chance(0.4) ? ZH_NUM[n] : String(n);
}

export function drawAsker(rand: Rand, spec: string, lang: Lang): Asker {
  const options = parsePeople(spec);
  const s = rand.pick(options);
  const age = rand.int(s.min, s.max);
  const sex = s.sex ?? (s.kind === 'pregnant' ? 'f' : rand.chance(0.5) ? 'm' : 'f');
  return lang === 'zh' ? zhAsker(rand, s.kind, age, sex) : enAsker(rand, s.kind, age, sex);
}

function zhAsker(rand: Rand, kind: AskerKind, age: number, sex: 'm' | 'f'): Asker {
  const base = { kind, age, sex, byPartner: false, pronoun: '', possessive: '', has: '' };
  const sexWord = sex === 'm' ? '男' : '女';
  switch (kind) {
    case 'self': {
      const intro = rand.pick([
        `我今年${age}岁，`,
        `本人${sexWord}，${age}岁，`,
        `${sexWord}，${age}岁，`,
        `我是${age}岁的${sex === 'm' ? '男性' : '女性'}，`,
        '',
        '',
      ]);
      return { ...base, intro, subject: '我', echo: '你', short: '你', think: `用户本人，${sexWord}，${age}岁` };
    }
    case 'child': {
      const kid = sex === 'm' ? rand.pick(['儿子', '孩子', '男孩']) : rand.pick(['女儿', '孩子', '闺女']);
      const intro = rand.pick([`我${kid === '男孩' ? '家男孩' : kid}${age}岁，`, `孩子${age}岁，`, `家里${kid === '孩子' ? '孩子' : kid}今年${age}岁，`, `${age}岁的${kid === '男孩' ? '儿子' : kid}，`]);
      // The answer names a son or daughter only when the question did.
      const gendered = !intro.startsWith('孩子') && kid !== '孩子';
      const echo = rand.pick([`${age}岁的孩子`, '孩子', `${age}岁的孩子`, gendered ? (sex === 'm' ? '你儿子' : '你女儿') : '孩子']);
      return { ...base, intro, subject: '孩子', echo, short: '孩子', think: `患儿${age}岁，${sex === 'm' ? '男孩' : '女孩'}` };
    }
    case 'parent': {
      const rel = sex === 'm' ? rand.pick(['爸', '父亲', '爸爸']) : rand.pick(['妈', '母亲', '妈妈']);
      const intro = rand.pick([`我${rel}${age}岁了，`, `我${rel}今年${age}，`, `家里老人${age}岁，`, `我${rel}（${age}岁）`]);
      const echo = rand.pick([sex === 'm' ? '你父亲' : '你母亲', '老人', `${age}岁的老人`, sex === 'm' ? '你父亲' : '你母亲']);
      return { ...base, intro, subject: `我${rel}`, echo, short: '老人', think: `用户的${sex === 'm' ? '父亲' : '母亲'}，${age}岁` };
    }
    case 'grandparent': {
      const rel = sex === 'm' ? rand.pick(['爷爷', '外公']) : rand.pick(['奶奶', '外婆']);
      const intro = rand.pick([`我${rel}${age}岁了，`, `家里${rel}今年${age}岁，`, `我${rel}${age}，`]);
      return { ...base, intro, subject: `我${rel}`, echo: rand.pick([`你${rel}`, '老人家', `${age}岁的老人`]), short: '老人', think: `用户的${rel}，${age}岁` };
    }
    case 'spouse': {
      const rel = sex === 'm' ? rand.pick(['老公', '爱人', '丈夫']) : rand.pick(['老婆', '爱人', '妻子']);
      const intro = rand.pick([`我${rel}${age}岁，`, `我${rel}今年${age}岁，`, `${rel}${age}岁，`]);
      const echo = rel === '爱人' ? '你爱人' : sex === 'm' ? rand.pick(['你丈夫', '你爱人']) : rand.pick(['你妻子', '你爱人']);
      return { ...base, intro, subject: `我${rel}`, echo, short: sex === 'm' ? '他' : '她', think: `用户的${sex === 'm' ? '丈夫' : '妻子'}，${age}岁` };
    }
    case 'friend': {
      const rel = rand.pick(['朋友', '室友', '同事', '同学']);
      const intro = rand.pick([`我${rel}${age}岁，`, `我有个${rel}，${age}岁，`, `${rel}（${sexWord}，${age}岁）`]);
      return { ...base, intro, subject: `我${rel}`, echo: `你${rel}`, short: sex === 'm' ? '他' : '她', think: `用户的${rel}，${sexWord}，${age}岁` };
    }
    case 'infant': {
      const months = age;
      const ageText = months === 0 ? `出生${rand.int(7, 25)}天` : `${zhCount(rand, months)}个月`;
      const intro =
        months === 0
          ? rand.pick([`宝宝${ageText}，`, `新生儿${ageText}，`, `我家宝宝刚${ageText}，`])
          : rand.pick([`宝宝${ageText}，`, `我家宝宝${ageText}大，`, `${ageText}的宝宝，`, `孩子${ageText}大，`]);
      return { ...base, intro, subject: '宝宝', echo: rand.pick([`${ageText}的宝宝`, '宝宝', `${ageText}大的宝宝`]), short: '宝宝', think: `婴儿${ageText}` };
    }
    case 'pregnant': {
      const weeks = age;
      const partner = rand.chance(0.3);
      const intro = partner
        ? rand.pick([`我老婆怀孕${weeks}周，`, `爱人怀孕${weeks}周了，`, `我媳妇孕${weeks}周，`])
        : rand.pick([`我怀孕${weeks}周了，`, `孕${weeks}周，`, `现在怀孕${weeks}周，`, `我是孕妇，${weeks}周，`]);
      return {
        ...base,
        byPartner: partner,
        intro,
        subject: partner ? '我老婆' : '我',
        echo: partner ? rand.pick(['你爱人', '你妻子']) : '你',
        short: partner ? '她' : '你',
        think: `${partner ? '用户的妻子' : '用户本人'}，怀孕${weeks}周`,
      };
    }
  }
}

const EN_NUM = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];

function enAsker(rand: Rand, kind: AskerKind, age: number, sex: 'm' | 'f'): Asker {
  const he = sex === 'm' ? 'he' : 'she';
  const his = sex === 'm' ? 'his' : 'her';
  const third = { kind, age, sex, byPartner: false, pronoun: he, possessive: his, has: 'has' };
  switch (kind) {
    case 'self': {
      const man = sex === 'm' ? 'man' : 'woman';
      const intro = rand.pick([
        `I'm ${age} and`,
        `I am a ${age}-year-old ${man} and`,
        `${age}${sex === 'm' ? 'M' : 'F'} here:`,
        `I'm a ${age}-year-old ${man}, and`,
        '',
        '',
      ]);
      return { ...third, pronoun: 'you', possessive: 'your', has: 'have', intro, subject: 'I', echo: 'you', short: 'you', think: `a ${age}-year-old ${man} asking about ${sex === 'm' ? 'himself' : 'herself'}` };
    }
    case 'child': {
      const kid = sex === 'm' ? 'son' : 'daughter';
      const intro = rand.pick([`My ${age}-year-old ${kid}`, `My ${kid}, who is ${age},`, `My ${kid} (${age})`, `Our ${age}-year-old ${kid}`]);
      const echo = rand.pick([`your ${kid}`, `your ${age}-year-old`, `a ${age}-year-old`, `your ${kid}`]);
      return { ...third, intro, subject: `my ${kid}`, echo, short: he, think: `a ${age}-year-old ${sex === 'm' ? 'boy' : 'girl'}` };
    }
    case 'parent': {
      const rel = sex === 'm' ? rand.pick(['dad', 'father']) : rand.pick(['mom', 'mother']);
      const intro = rand.pick([`My ${rel} (${age})`, `My ${rel}, who is ${age},`, `My ${age}-year-old ${rel}`]);
      const echo = rand.pick([`your ${sex === 'm' ? 'father' : 'mother'}`, `your ${rel}`]);
      return { ...third, intro, subject: `my ${rel}`, echo, short: he, think: `the user's ${age}-year-old ${sex === 'm' ? 'father' : 'mother'}` };
    }
    case 'grandparent': {
      const rel = sex === 'm' ? 'grandfather' : 'grandmother';
      const intro = rand.pick([`My ${rel} (${age})`, `My ${age}-year-old ${rel}`]);
      return { ...third, intro, subject: `my ${rel}`, echo: `your ${rel}`, short: he, think: `the user's ${age}-year-old ${rel}` };
    }
    case 'spouse': {
      const rel = sex === 'm' ? 'husband' : 'wife';
      const intro = rand.pick([`My ${rel} (${age})`, `My ${rel}, ${age},`, `My ${age}-year-old ${rel}`]);
      return { ...third, intro, subject: `my ${rel}`, echo: `your ${rel}`, short: he, think: `the user's ${age}-year-old ${rel}` };
    }
    case 'friend': {
      const rel = rand.pick(['friend', 'roommate', 'coworker']);
      const intro = rand.pick([`My ${rel} (${age}${sex === 'm' ? 'M' : 'F'})`, `My ${rel}, ${age},`]);
      return { ...third, intro, subject: `my ${rel}`, echo: `your ${rel}`, short: he, think: `the user's ${rel}, ${age}` };
    }
    case 'infant': {
      const months = age;
      const ageText = months === 0 ? `${rand.int(7, 25)}-day-old` : `${months <= 10 && rand.chance(0.4) ? EN_NUM[months] : months}-month-old`;
      const intro =
        months === 0
          ? rand.pick([`My ${ageText} newborn`, `Our newborn (${ageText.replace('-day-old', ' days old')})`])
          : rand.pick([`My ${ageText}`, `Our ${ageText}`, `My ${ageText} ${sex === 'm' ? 'son' : 'daughter'}`]);
      return { ...third, intro, subject: `my ${ageText}`, echo: rand.pick([`your ${ageText}`, 'your baby', `a ${ageText}`]), short: he, think: `a ${ageText} baby` };
    }
    case 'pregnant': {
      const weeks = age;
      const partner = rand.chance(0.25);
      if (partner) {
        const intro = rand.pick([`My wife is ${weeks} weeks pregnant and`, `My wife, ${weeks} weeks pregnant,`]);
        return { ...third, pronoun: 'she', possessive: 'her', byPartner: true, intro, subject: 'my wife', echo: 'your wife', short: 'she', think: `the user's wife, ${weeks} weeks pregnant` };
      }
      const intro = rand.pick([`I'm ${weeks} weeks pregnant and`, `I am ${weeks} weeks pregnant and`, `${weeks} weeks pregnant here:`]);
      return { ...third, pronoun: 'you', possessive: 'your', has: 'have', intro, subject: 'I', echo: 'you', short: 'you', think: `a woman ${weeks} weeks pregnant` };
    }
  }
}

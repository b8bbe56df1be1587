/**
 * Routine questions (low and medium risk): one condition, one angle (what is it, should I go and
 * where, which tests, home care, warning signs, prevention), one asker. The question is composed
 * from independent choices (asker, duration, severity, politeness, frame); the answer from
 * paraphrase banks per section, echoing the asker, naming the condition and the department.
 */
import { drawAsker, type Asker } from './gen-askers.js';
import type { Rand } from './gen-random.js';
import { capitalize, endSentence, enList, fill, lengthOf, numbered, vary, zhList } from './gen-text.js';

export interface Condition {
  specialty: string;
  name: string;
  /** zh: the department (儿科); en: whom to see (a pediatrician). */
  dept: string;
  /** Who may ask, see gen-askers.ts. */
  people: string;
  course: 'acute' | 'sub' | 'chronic';
  /** How a patient describes it: zh clauses without a subject; en noun phrases ("a barking cough"). */
  ask: string[];
  sym: string[];
  cause: string[];
  test: string[];
  care: string[];
  red: string[];
  prev: string[];
}

/** Builds a Condition from `|`-separated lists (the content files stay compact and readable). */
export function condition(
  specialty: string,
  name: string,
  dept: string,
  people: string,
  course: Condition['course'],
  f: { ask: string; sym: string; cause: string; test: string; care: string; red: string; prev: string },
): Condition {
  const split = (s: string) =>
    s
      .split('|')
      .map((x) => x.trim())
      .filter(Boolean);
  const c: Condition = {
    specialty,
    name,
    dept,
    people,
    course,
    ask: split(f.ask),
    sym: split(f.sym),
    cause: split(f.cause),
    test: split(f.test),
    care: split(f.care),
    red: split(f.red),
    prev: split(f.prev),
  };
  for (const key of ['ask', 'sym', 'cause', 'test', 'care', 'red', 'prev'] as const) {
    if (c[key].length === 0) throw new Error(`condition ${name}: empty ${key}`);
  }
  return c;
}

export type Angle = 'cause' | 'dept' | 'tests' | 'care' | 'red' | 'prevent';
/** Share of each angle: the ones whose questions carry the asker's story get more records. */
export const ANGLE_WEIGHTS: Record<Angle, number> = { cause: 25, dept: 20, care: 18, tests: 12, red: 13, prevent: 12 };

export interface QA {
  lang: 'zh' | 'en';
  question: string;
  think: string;
  answer: string;
}

export const BANDS = {
  zh: { think: [40, 120], answer: [80, 260] },
  en: { think: [25, 70], answer: [50, 150] },
} as const;

/** Target ceilings well inside the bands, so the token budget (median ≤ 150) holds. */
const SOFT_MAX = { zh: { think: 95, answer: 200 }, en: { think: 55, answer: 110 } } as const;

/**
 * Care items that read as something to do now ("多喝水"), for frames such as 看病前可以先…; items that
 * describe treatment by a doctor ("降压药由医生决定") do not fit there.
 */
function actionable(items: readonly string[], lang: 'zh' | 'en'): string[] {
  const notAnAction = lang === 'zh' ? /医生|由|需要|是基础|是关键|是最|确诊|通常|评估|效果|期间|治疗|同治/ : /doctor|clinician|pediatrician|gynecologist|prescri|urologist|dermatologist|physiotherapist/i;
  const found = items.filter((item) => !notAnAction.test(item));
  return found.length > 0 ? found : [...items];
}

// ---------------------------------------------------------------- Chinese

const ZH_PREFIX = ['', '', '', '医生您好，', '您好，', '请问，', '想咨询一下，', '大夫好，', '麻烦问一下，', '医生，'];
const ZH_DURATION = {
  acute: ['今天早上开始的', '已经两天了', '这三天一直这样', '昨天晚上开始的', '从前天开始', '有四五天了'],
  sub: ['有一个多星期了', '持续两周左右了', '快一个月了', '断断续续十来天了', '大概三周了'],
  chronic: ['好几个月了', '半年多了', '断断续续一两年了', '这两年一直这样', '有三四个月了'],
};
const ZH_SEVERITY = ['', '', '', '不算太严重', '影响睡觉了', '时好时坏', '越来越明显', '有点影响工作和生活', '家里人挺担心'];

const ZH_FRAMES: Record<Angle, string[]> = {
  cause: ['这是怎么回事？', '可能是什么原因？', '会不会是{name}？', '是什么病啊？', '需要担心吗，可能是什么问题？', '这种情况正常吗？', '是不是{name}啊？'],
  dept: ['需要去医院吗？挂什么科？', '该挂哪个科？', '要不要紧，能先观察几天吗？', '去医院的话看哪个科比较好？', '有必要去医院看吗？'],
  tests: ['去医院一般要查什么？', '需要做哪些检查？', '要做什么检查才能搞清楚？'],
  care: ['平时在家怎么护理？', '日常生活要注意什么？', '除了看医生，自己能做点什么？', '在家怎么调理比较好？'],
  red: ['什么情况下要马上去医院？', '哪些信号说明病情加重了？', '需要警惕哪些危险情况？', '出现什么情况要赶紧就医？'],
  prevent: ['能预防吗？', '以后怎么预防？', '怎样才能不再犯？', '生活上怎么做能降低风险？'],
};

const ZH_DIAG = ['医生说是{name}，', '前段时间确诊了{name}，', '查出来是{name}，', '被诊断为{name}，', '有{name}，'];

function zhQuestion(rand: Rand, c: Condition, angle: Angle, a: Asker, ask: string): string {
  const prefix = rand.pick(ZH_PREFIX);
  const frame = fill(rand.pick(ZH_FRAMES[angle]), { name: c.name });
  const story = () => {
    const parts = [ask];
    if (rand.chance(0.7)) parts.push(rand.pick(ZH_DURATION[c.course]));
    const sev = rand.pick(ZH_SEVERITY);
    if (sev) parts.push(sev);
    return parts.join('，') + '，';
  };
  const intro = a.intro || (a.kind === 'self' ? '' : a.subject);
  switch (angle) {
    case 'cause':
    case 'dept':
      return prefix + intro + story() + frame;
    case 'tests':
      return rand.chance(0.5) ? prefix + intro + story() + frame : `${prefix}${intro}怀疑是${c.name}，${frame}`;
    case 'care':
    case 'red':
      return prefix + intro + fill(rand.pick(ZH_DIAG), { name: c.name }) + frame;
    case 'prevent':
      return rand.chance(0.5)
        ? `${prefix}${intro}得过${c.name}，${frame}`
        : `${prefix}${c.name}${rand.pick(['能预防吗？', '怎么预防？', '有什么办法预防？'])}${rand.chance(0.5) ? '生活上要注意什么？' : ''}`;
  }
}

function zhAgeNote(rand: Rand, a: Asker): string {
  if (a.kind === 'child') return rand.pick(['孩子年龄小，表达不清，家长要多留意精神和吃喝。', '孩子病情变化快，精神变差时要早点去医院。', '']);
  if ((a.kind === 'parent' || a.kind === 'grandparent') && a.age >= 65)
    return rand.pick(['老年人症状常不典型，有变化要早点就医。', '老人家常有其他慢性病，就诊时带上平时吃的药。', '']);
  return '';
}

function zhThink(rand: Rand, c: Condition, angle: Angle, a: Asker, ask: string, facts: { cause: string; test: string; red: string }): string {
  const who = a.think;
  const opening = rand.pick([`${who}，${ask}。`, `用户描述：${who}，${ask}。`, `${who}，主要问题是${ask}。`]);
  const d = c.dept;
  switch (angle) {
    case 'cause':
      return opening + rand.pick([
        `表现符合${c.name}，常见原因有${facts.cause}。不能凭文字确诊，要解释可能性并建议到${d}面诊。`,
        `首先考虑${c.name}，多与${facts.cause}有关。回答时说明典型表现和原因，提醒去${d}明确诊断。`,
        `这很像${c.name}。需要讲清表现和原因，同时说明仅凭描述不能确诊，建议${d}就诊。`,
      ]);
    case 'dept':
      return opening + rand.pick([
        `可能与${c.name}有关，首诊可以选${d}，需要排除的是${facts.red}。`,
        `考虑${c.name}，建议${d}就诊，不宜长期观察；出现${facts.red}要急诊。`,
        `要回答是否需要就医和挂哪个科：${c.name}一般看${d}，检查可能有${facts.test}。`,
      ]);
    case 'tests':
      return rand.pick([
        `用户想知道${c.name}要做哪些检查。常用的是${facts.test}，要说明检查目的，并提醒挂${d}。`,
        `${who}，怀疑${c.name}。检查以${facts.test}为主，由${d}医生根据情况安排。`,
        `问题是${c.name}的检查。应列出${facts.test}等项目，并说明具体由医生决定。`,
      ]);
    case 'care':
      return rand.pick([
        `${who}，已确诊${c.name}，想了解日常护理。要给出可执行的要点，涉及处方药不给剂量，强调遵医嘱复诊。`,
        `用户问${c.name}的居家管理。核心是生活方式和规范随访，用药由医生决定，并提醒出现${facts.red}要就医。`,
        `${c.name}的日常处理：讲清生活上能做的事，药物部分只说遵医嘱，不给具体剂量。`,
      ]);
    case 'red':
      return rand.pick([
        `${who}，有${c.name}，问危险信号。需要马上就医的情况包括${facts.red}，要列清楚并说明出现时直接去急诊或拨打120。`,
        `用户关心${c.name}什么时候要紧急就医。重点是${facts.red}，出现这些情况不能在家观察。`,
        `${c.name}的报警信号要讲具体：${facts.red}。同时说明平时按${d}的安排复查。`,
      ]);
    case 'prevent':
      return rand.pick([
        `用户关心${c.name}的预防。措施要具体可执行，并说明已有症状时应先就医，不能只靠调理。`,
        `问题是如何预防${c.name}。从生活方式和定期检查入手，提醒有症状要去${d}。`,
        `${c.name}的预防要点：生活习惯、诱因控制和随访，回答简洁具体。`,
      ]);
  }
}

function zhAnswer(rand: Rand, c: Condition, angle: Angle, a: Asker, k: number): string {
  const e = a.echo;
  const d = c.dept;
  const sym = zhList(rand.some(c.sym, Math.min(k, 4)));
  const cause = zhList(rand.some(c.cause, Math.min(k - 1, 3)));
  const test1 = rand.pick(c.test);
  const red2 = zhList(rand.some(c.red, 2));
  const note = rand.chance(0.6) ? zhAgeNote(rand, a) : '';
  const parts: string[] = [];
  switch (angle) {
    case 'cause': {
      parts.push(
        rand.pick([
          `根据你的描述，${e}比较像${c.name}，但还需要医生面诊确认。`,
          `${e}这种情况首先要考虑${c.name}，不过单凭文字不能确诊。`,
          `从症状看，${e}可能是${c.name}。`,
          `这种表现常见于${c.name}，具体还要看医生检查的结果。`,
        ]),
      );
      const body = [
        rand.pick([`${c.name}的常见表现有${sym}。`, `它典型的表现是${sym}。`, `**常见表现**：${sym}。`]),
        rand.pick([`常见原因包括${cause}。`, `多与${cause}有关。`, `**可能的原因**：${cause}。`]),
      ];
      parts.push(rand.chance(0.5) ? body.join('') : body.join('\n\n'));
      if (note) parts.push(note);
      parts.push(
        rand.pick([
          `建议到${d}就诊，医生会结合查体和${test1}等检查明确诊断。`,
          `可以先挂${d}，把症状开始的时间和变化告诉医生。`,
          `建议去${d}就诊，必要时做${test1}。`,
        ]),
      );
      break;
    }
    case 'dept': {
      parts.push(
        rand.pick([
          `${e}的情况可能与${c.name}有关，建议到${d}就诊，不建议长期自己观察。`,
          `建议去医院看看，首诊挂${d}就可以，${e}的表现要先排查${c.name}。`,
          `需要去医院。这类情况多考虑${c.name}，一般挂${d}。`,
        ]),
      );
      const care1 = rand.pick(actionable(c.care, 'zh'));
      parts.push(rand.pick([`看病前可以先${care1}，并记下症状的变化。`, `在等待就诊期间，可以先${care1}。`, '']));
      parts.push(rand.pick([`医生可能会安排${test1}等检查。`, `就诊时可能要做${test1}。`]));
      parts.push(
        // Safety-netting without sending every routine asker to the emergency department.
        rand.pick([`如果出现${red2}，就不要等门诊，直接去急诊。`, `如果出现${red2}，要及时就医。`, `出现${red2}时别拖着，及时复诊。`]),
      );
      break;
    }
    case 'tests': {
      const tests = rand.some(c.test, Math.min(k, 4));
      parts.push(
        rand.chance(0.5)
          ? rand.pick([`针对${c.name}，医生通常会安排这些检查：${zhList(tests)}。`, `查${c.name}，常用的检查有${zhList(tests)}。`])
          : `${rand.pick([`${c.name}常用的检查有：`, `针对${e}的情况，一般会做这些检查：`])}\n${numbered(tests, 'zh')}`,
      );
      parts.push(
        rand.pick([
          `检查项目会根据${e}的具体情况增减，可以先挂${d}，由医生安排。`,
          `具体查哪些由${d}医生决定，不必一次全做。`,
          `建议先到${d}就诊，由医生决定做哪些检查。`,
        ]),
      );
      parts.push(rand.pick(['就诊时带上以前的检查结果和正在吃的药。', '把症状开始的时间和诱因告诉医生，能帮助判断。', '']));
      if (note) parts.push(note);
      break;
    }
    case 'care': {
      const care = rand.some(c.care, Math.min(k, 4));
      parts.push(
        rand.pick([`${c.name}的日常管理可以从这几方面入手：`, `${e}确诊${c.name}后，平时可以注意这些：`, `居家护理的要点：`]),
      );
      parts.push(rand.chance(0.6) ? numbered(care, 'zh') : care.join('；') + '。');
      parts.push(
        rand.pick([
          '按医生的安排复诊，不要自行更改用药。',
          `如果出现${red2}，要及时就医。`,
          `定期到${d}复查，有新的不适及时告诉医生。`,
        ]),
      );
      break;
    }
    case 'red': {
      const red = rand.some(c.red, Math.min(k, 4));
      parts.push(
        rand.pick([
          `如果${e}出现以下情况，不要在家观察，应尽快就医，情况严重时去急诊：`,
          `${c.name}出现下面这些信号时，要尽快就医，严重时直接去急诊：`,
          `需要马上就医的危险信号有：`,
        ]),
      );
      parts.push(rand.chance(0.6) ? numbered(red, 'zh') : zhList(red) + '。');
      parts.push(
        rand.pick([
          '平时也可以把这些信号告诉家人，一旦发生能及时就医。',
          `没有这些情况时，按${d}医生的安排定期复查即可。`,
          `其他时候不必过度紧张，按医生的安排规律随访就好。`,
        ]),
      );
      if (note) parts.push(note);
      break;
    }
    case 'prevent': {
      const prev = rand.some(c.prev, Math.min(k, 4));
      parts.push(rand.pick([`预防${c.name}，可以做到这些：`, `降低${c.name}的风险，关键在日常：`, `想减少${c.name}发作，可以这样做：`]));
      parts.push(rand.chance(0.5) ? numbered(prev, 'zh') : prev.join('；') + '。');
      parts.push(
        rand.pick([
          `这些习惯需要长期坚持；如果已经有相关症状，请先到${d}就诊评估。`,
          `预防不能代替就医，已有不适时请去${d}看看。`,
          `有家族史或反复发作的，建议定期找${d}医生随访。`,
        ]),
      );
      break;
    }
  }
  return parts.filter(Boolean).join('\n\n');
}

// ---------------------------------------------------------------- English

const EN_PREFIX = ['', '', '', 'Hi, ', 'Hello doctor, ', 'Quick question: ', 'Hoping someone can help. '];
const EN_DURATION = {
  acute: ['since yesterday', 'for two days', 'for three days now', 'since this morning', 'for a few days'],
  sub: ['for about a week', 'for two weeks', 'for nearly a month', 'for ten days or so', 'for about three weeks'],
  chronic: ['for several months', 'for over half a year', 'on and off for a couple of years', 'for about four months'],
};
const EN_SEVERITY = ['', '', '', "It's not terrible, but it's annoying.", "It's starting to affect my sleep.", 'It comes and goes.', "It's getting more noticeable.", "It's affecting work."];
const EN_FRAMES: Record<Angle, string[]> = {
  cause: ['What could be causing this?', 'Is this something to worry about?', 'Could it be {name}?', 'What might this be?', 'Any idea what is going on?'],
  dept: ['Should we see a doctor, and what kind?', 'Is this worth a doctor visit?', 'Can this wait, or should it be checked?', 'Who should we see about this?'],
  tests: ['What tests are usually done for this?', 'What tests should we ask for?', 'What would a doctor check?'],
  care: ['What can be done at home?', 'How should it be managed day to day?', 'Any tips for managing it?'],
  red: ['When should we go to the ER?', 'What warning signs should we watch for?', 'When does this become urgent?'],
  prevent: ['Can it be prevented?', 'How can we keep it from coming back?', 'What lowers the risk?'],
};

function enHave(a: Asker): string {
  return a.kind === 'self' || (a.kind === 'pregnant' && !a.byPartner) ? 'have' : 'has';
}

/** The question's subject with its intro: "I'm 34 and I", "My 6-year-old son", "My wife is 20 weeks pregnant and she". */
function enLead(a: Asker): string {
  const first = a.kind === 'self' || (a.kind === 'pregnant' && !a.byPartner);
  if (first) return a.intro ? `${a.intro} I` : 'I';
  if (a.intro.endsWith(' and')) return `${a.intro} ${a.pronoun}`;
  return a.intro || capitalize(a.subject);
}

function enQuestion(rand: Rand, c: Condition, angle: Angle, a: Asker, ask: string): string {
  const prefix = rand.pick(EN_PREFIX);
  const frame = fill(rand.pick(EN_FRAMES[angle]), { name: c.name });
  const lead = enLead(a);
  const has = enHave(a);
  const story = () => {
    const dur = rand.chance(0.75) ? ` ${rand.pick(EN_DURATION[c.course])}` : '';
    const verb = dur ? rand.pick([`${has} had`, `${has} been having`]) : has;
    const sev = rand.pick(EN_SEVERITY);
    return `${lead} ${verb} ${ask}${dur}.${sev ? ` ${sev}` : ''}`;
  };
  switch (angle) {
    case 'cause':
    case 'dept':
      return `${prefix}${capitalize(story())} ${frame}`;
    case 'tests':
      return rand.chance(0.5) ? `${prefix}${capitalize(story())} ${frame}` : `${prefix}${capitalize(`${lead} might have ${c.name}.`)} ${frame}`;
    case 'care':
    case 'red': {
      const diag = rand.pick([`${lead} ${rand.pick(['was', 'was just', 'was recently'])} diagnosed with ${c.name}.`, `${lead} ${has} ${c.name}, according to the doctor.`]);
      return `${prefix}${capitalize(diag)} ${frame}`;
    }
    case 'prevent':
      return rand.chance(0.5)
        ? `${prefix}${capitalize(`${lead} had ${c.name} recently.`)} ${frame}`
        : `${prefix}${rand.pick([`How can ${c.name} be prevented?`, `Is there a way to prevent ${c.name}?`, `What lowers the risk of ${c.name}?`])}`;
  }
}

function enThink(rand: Rand, c: Condition, angle: Angle, a: Asker, ask: string, facts: { cause: string; test: string; red: string }): string {
  const who = a.think;
  switch (angle) {
    case 'cause':
      return rand.pick([
        `The patient is ${who} with ${ask}. This fits ${c.name}, usually from ${facts.cause}. I cannot diagnose from text, so explain the likely cause and suggest ${c.dept}.`,
        `${capitalize(who)}, ${ask}. Most likely ${c.name}. Explain typical signs and causes, say it needs confirming, and point to ${c.dept}.`,
      ]);
    case 'dept':
      return rand.pick([
        `${capitalize(who)} with ${ask}. Possibly ${c.name}; ${c.dept} is the right first stop. Red flags to mention: ${facts.red}.`,
        `The question is whether to be seen. ${capitalize(c.name)} is likely; suggest ${c.dept}, mention ${facts.test}, and list what needs the ER.`,
      ]);
    case 'tests':
      return rand.pick([
        `The user asks which tests check for ${c.name}: mainly ${facts.test}. Explain that the clinician decides and suggest ${c.dept}.`,
        `Tests for ${c.name} in ${who}: ${facts.test}. Keep it short and say the doctor will tailor them.`,
      ]);
    case 'care':
      return rand.pick([
        `${capitalize(who)} has ${c.name} and wants day-to-day advice. Give practical steps, no prescription doses, and keep medication decisions with the clinician.`,
        `Self-care for ${c.name}: lifestyle steps and follow-up. Mention when to seek care, such as ${facts.red}.`,
      ]);
    case 'red':
      return rand.pick([
        `The user wants the red flags of ${c.name}: ${facts.red}. List them clearly and say to seek emergency care when they appear.`,
        `Warning signs for ${c.name} in ${who}: ${facts.red}. Those need the ER; otherwise routine follow-up.`,
      ]);
    case 'prevent':
      return rand.pick([
        `The user asks how to prevent ${c.name}. Give concrete habits and note that symptoms still need assessment.`,
        `Prevention of ${c.name}: practical, specific steps, plus checkups with ${c.dept} if it keeps coming back.`,
      ]);
  }
}

function enAnswer(rand: Rand, c: Condition, angle: Angle, a: Asker, k: number): string {
  const e = a.echo;
  const E = capitalize(e);
  const has = e === 'you' ? 'have' : 'has';
  const sym = enList(rand.some(c.sym, Math.min(k, 3)));
  const cause = enList(rand.some(c.cause, Math.min(k - 1, 3)));
  const test1 = rand.pick(c.test);
  const red2 = enList(rand.some(c.red, 2), 'or');
  const parts: string[] = [];
  switch (angle) {
    case 'cause':
      parts.push(
        rand.pick([
          `What you describe sounds like it could be ${c.name}, but a clinician needs to confirm it.`,
          `The most likely explanation is ${c.name}, though it cannot be confirmed from a description.`,
          `${E} may well ${has === 'have' ? 'have' : 'have'} ${c.name}.`,
        ]),
      );
      parts.push(
        rand.pick([
          `It typically causes ${sym}, and it is often linked to ${cause}.`,
          `**Typical signs:** ${sym}.\n\n**Common causes:** ${cause}.`,
          `Common features are ${sym}; ${cause} often play a part.`,
        ]),
      );
      parts.push(
        rand.pick([
          `It is worth booking a visit with ${c.dept}, who may suggest ${test1}.`,
          `Please see ${c.dept} to confirm what is going on.`,
          `${capitalize(c.dept)} can examine ${e === 'you' ? 'you' : e} and decide whether ${test1} is needed.`,
        ]),
      );
      break;
    case 'dept':
      parts.push(
        rand.pick([
          `Yes, it is worth getting checked. This may be ${c.name}, and ${c.dept} is the right place to start.`,
          `I would not just wait it out. ${capitalize(c.name)} is a likely cause, so see ${c.dept}.`,
          `${E} should be seen by ${c.dept}; the picture suggests ${c.name}.`,
        ]),
      );
      parts.push(rand.pick([`Expect questions about the history and possibly ${test1}.`, `The doctor may order ${test1}.`, '']));
      parts.push(rand.pick([`Until then, ${rand.pick(actionable(c.care, 'en'))}.`, '']));
      parts.push(rand.pick([`Go to the emergency department instead if there is ${red2}.`, `Get checked again promptly if there is ${red2}.`, `Book a sooner visit if ${red2} appears.`]));
      break;
    case 'tests': {
      const tests = rand.some(c.test, Math.min(k, 3));
      parts.push(
        rand.chance(0.5)
          ? `For ${c.name}, the usual work-up is ${enList(tests)}.`
          : `Tests commonly used for ${c.name}:\n${numbered(tests.map(capitalize), 'en')}`,
      );
      parts.push(rand.pick([`The clinician may add or skip tests depending on the history, so start with ${c.dept}.`, `${capitalize(c.dept)} will decide which of these are needed.`]));
      parts.push(rand.pick(['Bring notes on when symptoms started and any earlier results.', '']));
      break;
    }
    case 'care': {
      const care = rand.some(c.care, Math.min(k, 3));
      parts.push(rand.pick([`Managing ${c.name} day to day:`, `A few things help with ${c.name}:`, `For ${e === 'you' ? 'your' : e + "'s"} ${c.name}, focus on these:`]));
      parts.push(rand.chance(0.6) ? numbered(care.map(capitalize), 'en') : care.map((x) => endSentence(capitalize(x), 'en')).join(' '));
      parts.push(rand.pick(['Keep follow-up appointments and do not change prescribed medicine without talking to the clinician.', `Get checked promptly if there is ${red2}.`]));
      break;
    }
    case 'red': {
      const red = rand.some(c.red, Math.min(k, 3));
      parts.push(rand.pick([`See a doctor promptly, or go to the emergency department if it is severe, if ${e === 'you' ? 'you notice' : `${e} ${has}`}:`, `With ${c.name}, these warning signs need prompt care, and the emergency department if severe:`]));
      parts.push(rand.chance(0.6) ? numbered(red.map(capitalize), 'en') : `${capitalize(enList(red, 'or'))}.`);
      parts.push(rand.pick(['It helps to tell family members about these signs too, and to go over them with your doctor.', `Otherwise, routine follow-up with ${c.dept} is enough.`]));
      break;
    }
    case 'prevent': {
      const prev = rand.some(c.prev, Math.min(k, 3));
      parts.push(rand.pick([`To lower the risk of ${c.name}:`, `A few habits help prevent ${c.name}:`]));
      parts.push(rand.chance(0.5) ? numbered(prev.map(capitalize), 'en') : prev.map((x) => endSentence(capitalize(x), 'en')).join(' '));
      parts.push(rand.pick([`If symptoms are already there, see ${c.dept} rather than relying on lifestyle changes alone.`, `Recurring episodes are worth discussing with ${c.dept}.`]));
      break;
    }
  }
  return parts.filter(Boolean).join('\n\n');
}

// ---------------------------------------------------------------- both

/** Sentences that may be added to a short answer, drawn from the condition's other facts. */
function extras(rand: Rand, c: Condition, angle: Angle, a: Asker, lang: 'zh' | 'en'): string[] {
  const pool: string[] = [];
  if (lang === 'zh') {
    if (angle !== 'cause') pool.push(`${c.name}常见的表现有${zhList(rand.some(c.sym, 3))}。`, `常见的原因包括${zhList(rand.some(c.cause, 2))}。`);
    if (angle !== 'red' && angle !== 'dept' && angle !== 'care') pool.push(`如果出现${zhList(rand.some(c.red, 2))}，要及时就医。`);
    if (angle !== 'care') pool.push(`平时可以${rand.pick(actionable(c.care, 'zh'))}。`);
    if (angle !== 'prevent') pool.push(`预防上，${rand.pick(c.prev)}也有帮助。`);
    if (angle !== 'tests' && angle !== 'dept') pool.push(`医生可能会安排${rand.pick(c.test)}等检查。`);
    const note = zhAgeNote(rand, a);
    if (note) pool.push(note);
  } else {
    if (angle !== 'cause') pool.push(`${capitalize(c.name)} typically brings ${enList(rand.some(c.sym, 2))}.`, `Common triggers include ${enList(rand.some(c.cause, 2))}.`);
    if (angle !== 'red' && angle !== 'dept' && angle !== 'care') pool.push(`Seek care promptly if there is ${enList(rand.some(c.red, 2), 'or')}.`);
    if (angle !== 'care') pool.push(`In the meantime, ${rand.pick(actionable(c.care, 'en'))}.`);
    if (angle !== 'prevent') pool.push(`Prevention tip: ${rand.pick(c.prev)}.`);
    if (angle !== 'tests' && angle !== 'dept') pool.push(`The doctor may suggest ${rand.pick(c.test)}.`);
  }
  return rand.shuffled(pool);
}

/** Adds extra sentences before the closing paragraph until the text reaches `min`. */
export function padTo(text: string, pool: readonly string[], min: number, lang: 'zh' | 'en'): string {
  const paragraphs = text.split('\n\n');
  const close = paragraphs.pop()!;
  const added: string[] = [];
  for (const extra of pool) {
    if (lengthOf([...paragraphs, ...added, close].join('\n\n'), lang) >= min) break;
    // A sentence the answer already has, or one that opens like one of its sentences ("如果出现…",
    // "Common triggers…"), would read as a repeat (and the length rule penalises repeats).
    const opening = extra.slice(0, lang === 'zh' ? 4 : 14);
    if (text.includes(opening) || added.some((a) => a.startsWith(opening))) continue;
    added.push(extra);
  }
  const middle = added.length > 0 ? [added.join(lang === 'zh' ? '' : ' ')] : [];
  return [...paragraphs, ...middle, close].join('\n\n');
}

/** Length targets inside the bands: answers are padded up to MIN and redrawn above SOFT_MAX. */
export const TARGET_MIN = { zh: { think: 45, answer: 100 }, en: { think: 28, answer: 58 } } as const;

/**
 * One routine record. The answer is drawn with up to four list items, padded with the condition's
 * other facts when short, and redrawn with fewer items when long, so that think and answer fit their
 * length bands (SOFT_MAX keeps the token budget).
 */
export function routineRecord(rand: Rand, c: Condition, angle: Angle, lang: 'zh' | 'en'): QA {
  const a = drawAsker(rand, c.people, lang);
  const ask = rand.pick(c.ask);
  const question = lang === 'zh' ? zhQuestion(rand, c, angle, a, ask) : enQuestion(rand, c, angle, a, ask);
  const facts = () => ({
    cause: (lang === 'zh' ? zhList : enList)(rand.some(c.cause, 2)),
    test: (lang === 'zh' ? zhList : enList)(rand.some(c.test, 2)),
    red: lang === 'zh' ? zhList(rand.some(c.red, 2)) : enList(rand.some(c.red, 2), 'or'),
  });
  const soft = SOFT_MAX[lang];
  const min = TARGET_MIN[lang];
  let think = '';
  for (let attempt = 0; attempt < 8; attempt++) {
    think = lang === 'zh' ? zhThink(rand, c, angle, a, ask, facts()) : enThink(rand, c, angle, a, ask, facts());
    if (lengthOf(think, lang) < min.think) {
      const f = facts();
      think += lang === 'zh' ? `提醒出现${f.red}时及时就医。` : ` Mention ${f.red} as reasons to seek care.`;
    }
    if (lengthOf(think, lang) <= soft.think) break;
  }
  let answer = '';
  for (let attempt = 0; attempt < 12; attempt++) {
    const k = Math.max(2, 4 - Math.floor(attempt / 3));
    answer = lang === 'zh' ? zhAnswer(rand, c, angle, a, k) : enAnswer(rand, c, angle, a, k);
    answer = padTo(answer, extras(rand, c, angle, a, lang), min.answer, lang);
    if (lengthOf(answer, lang) <= soft.answer) break;
  }
  return { lang, question, think: lang === 'en' ? capitalize(think) : think, answer };
}

// ---------------------------------------------------------------- medication questions

/** A medication question that is not about a condition (interactions, storage, missed doses). */
export interface MedTopic {
  lang: 'zh' | 'en';
  people: string;
  /** Question cores, after the asker's intro. */
  q: string[];
  think: string[];
  lead: string[];
  points: string[];
  close: string[];
}

export function medTopic(lang: 'zh' | 'en', people: string, f: Record<'q' | 'think' | 'lead' | 'points' | 'close', string>): MedTopic {
  const split = (s: string) =>
    s
      .split('|')
      .map((x) => x.trim())
      .filter(Boolean);
  return { lang, people, q: split(f.q), think: split(f.think), lead: split(f.lead), points: split(f.points), close: split(f.close) };
}

export function medRecord(rand: Rand, t: MedTopic): QA {
  const a = drawAsker(rand, t.people, t.lang);
  const zh = t.lang === 'zh';
  const slots = { who: a.echo, whoThink: a.think };
  const prefix = rand.pick(zh ? ZH_PREFIX : EN_PREFIX);
  // zh: the intro names the patient; en: the core has a {who} slot (I, my dad).
  const question = zh ? `${prefix}${a.intro}${vary(rand.pick(t.q), rand)}` : `${prefix}${capitalize(fill(rand.pick(t.q), { who: a.subject }, rand))}`;
  let think = fill(rand.pick(t.think), slots, rand);
  if (lengthOf(think, t.lang) < TARGET_MIN[t.lang].think && !think.includes(a.think)) think = zh ? `${a.think}。${think}` : `The question is about ${a.think}. ${think}`;
  if (lengthOf(think, t.lang) < TARGET_MIN[t.lang].think) think += zh ? '回答要具体，拿不准的让用户问药师。' : ' Keep it practical and suggest a pharmacist check when unsure.';
  let answer = '';
  for (let attempt = 0; attempt < 8; attempt++) {
    const k = Math.max(2, 4 - Math.floor(attempt / 2));
    const shuffled = rand.shuffled(t.points);
    const points = shuffled.slice(0, k);
    const sentence = (p: string) => endSentence(zh ? vary(p, rand) : capitalize(vary(p, rand)), t.lang);
    const body = rand.chance(0.5) ? numbered(points.map((p) => (zh ? vary(p, rand) : capitalize(vary(p, rand)))), t.lang) : points.map(sentence).join(zh ? '' : ' ');
    answer = [fill(rand.pick(t.lead), slots, rand), body, fill(rand.pick(t.close), slots, rand)].join('\n\n');
    answer = padTo(answer, shuffled.slice(k).map(sentence), TARGET_MIN[t.lang].answer, t.lang);
    if (lengthOf(answer, t.lang) <= SOFT_MAX[t.lang].answer) break;
  }
  return { lang: t.lang, question, think, answer };
}

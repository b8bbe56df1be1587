/**
 * Default negation lexicons (Chinese and English), shared by rules/keyword and rules/safety.
 * Phrases are matched after folding (lowercase, half-width); English phrases match whole words.
 */

/** Cues that negate a target that follows them in the same clause (不建议就医, no need to go to the ER). */
// prettier-ignore
export const NEGATION_PRE: readonly string[] = [
  // zh
  '不用', '不必', '不需要', '不需', '无需', '无须', '没必要', '没有必要', '不建议', '不推荐', '不要', '不应', '不应该',
  '不宜', '不可', '不能', '别去', '别急着', '别吃', '别用', '别打', '用不着', '犯不着', '勿', '切勿', '禁止', '避免', '未',
  '没有', '并非', '不是', '暂不', '不急于', '忌', '禁用', '慎用', '不会', '拒绝', '不去', '不就医', '不打',
  // en
  'no', 'not', "don't", 'do not', "doesn't", 'does not', "didn't", 'did not', 'never', 'without', 'no need',
  "needn't", 'need not', 'avoid', 'nor', 'neither', "isn't", "aren't", "won't", 'will not', "shouldn't", 'should not',
  'cannot', "can't", 'unnecessary', 'instead of', 'rather than', 'refrain from', 'against', 'stop',
];

/** Cues that negate a target that precedes them (去急诊没有必要, warfarin is contraindicated). */
// prettier-ignore
export const NEGATION_POST: readonly string[] = [
  // zh
  '没必要', '没有必要', '不必要', '是不必要的', '禁用', '忌用', '慎用', '禁止使用', '是禁忌', '属于禁忌', '不适合', '不宜使用', '不宜',
  '不推荐', '不建议使用', '不可以使用', '不能用', '不能使用', '不可用', '要避免', '应避免', '需避免', '不安全',
  // en
  'is not necessary', "isn't necessary", 'is unnecessary', 'are unnecessary', 'is not needed', "isn't needed",
  'is not required', "isn't required", 'is contraindicated', 'are contraindicated', 'should be avoided', 'must be avoided',
  'is not recommended', 'are not recommended', 'is not safe', "isn't safe", 'is unsafe', 'are unsafe', 'is not advised',
  'not advisable',
];

/** A negation after a conditional negates nothing (如果症状不缓解…, if it does not improve…). */
// prettier-ignore
export const NEGATION_CONDITIONAL: readonly string[] = [
  '如果', '假如', '假若', '若', '一旦', '如有', '如出现', '如症状', '如仍', '万一', '要是', '倘若', '除非',
  'if', 'unless', 'in case', 'whenever', 'should you', 'in the event',
];

/** Ends the scope of a negation cue inside a clause (不用担心但要去急诊, no need to panic but call 911). */
// prettier-ignore
export const NEGATION_BREAKER: readonly string[] = ['但', '但是', '不过', '然而', '而是', '而应', '可是', '反而', 'but', 'however', 'although', 'though'];

/**
 * Longer phrases whose inner cue or target must not be read: affirmative idioms that contain a
 * negation (勿延误, don't hesitate) and words that contain a lexicon phrase (不可能 holds 可能).
 */
// prettier-ignore
export const NEGATION_SHADOW: readonly string[] = [
  // zh
  '不要犹豫', '不要拖延', '不要耽误', '别耽误', '别拖延', '切勿延误', '勿延误', '不要延误', '不可延误', '不要等待', '不要等', '毫不犹豫',
  '刻不容缓', '不可能', '尽可能', '不一定是', '未必是', '不能排除', '不能确定', '不容忽视', '不可忽视', '不要忽视', '切勿忽视',
  '不可耽搁', '不要耽搁',
  // en
  "don't hesitate", 'do not hesitate', 'not hesitate', "don't wait", 'do not wait', "don't delay", 'do not delay',
  'never delay', 'never ignore', "don't ignore", 'do not ignore', 'without delay', 'no matter', 'not only', 'not just',
  'as soon as possible', 'cannot be ruled out', "can't be ruled out", 'cannot rule out', "can't rule out", 'baby aspirin',
  'not sure', 'not certain',
];

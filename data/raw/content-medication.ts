/**
 * Routine medication questions (written for medrl): interactions, storage, missed doses, reading a
 * label. Questions avoid the words the risk lexicon reads as high risk (剂量, 吃几片, 抗生素, 处方…).
 * English question cores use {who} (I, my dad) with modal verbs, so agreement always holds.
 */
import { medTopic as t, type MedTopic } from './gen-routine.js';

export const MED_TOPICS: MedTopic[] = [
  t('zh', 'self 18-70|parent 55-80|spouse 25-65', {
    q: '家里有好几种感冒药，能不能一起吃好得快一点？|感冒了，同时吃两种感冒药可以吗？|感冒药和退烧药能一起吃吗？',
    think: '{whoThink}，想同时吃几种感冒药。复方感冒药常含相同成分，叠加容易过量，要教会看成分表。|很多复方感冒药都含对乙酰氨基酚等成分，同时吃可能重复用药，需要提醒看说明书并问药师。',
    lead: '不建议一起吃，很多复方感冒药的成分是重复的。|最好只选一种，几种感冒药叠加很容易重复用药。|先别急着一起吃，叠加用药风险比效果大。',
    points: '很多感冒药都含对乙酰氨基酚，几种一起吃容易超过每日安全上限，损伤肝脏|一次只选一种复方感冒药|吃之前看说明书上的“成分”一栏，而不是商品名|已经在吃退烧药时，不要再叠加含同样成分的感冒药|老人和有肝病的人更要注意',
    close: '拿不准时，把药盒带给药店药师核对一下。|症状加重或发热超过三天，请去医院看看。|有疑问可以咨询药师，他们能帮你核对成分。',
  }),
  t('zh', 'self 40-75|parent 55-85|spouse 40-75', {
    q: '降压药漏吃了一次，要补吗？|早上忘了吃降压药，中午想起来还要不要吃？|长期吃的药偶尔忘了吃，该怎么办？',
    think: '{whoThink}，漏服了长期用药。处理取决于药物和距离下次服药的时间，原则是想起尽快补、接近下次就跳过，不要加倍。|漏服的处理要看药物种类，一般原则是不能一次吃双倍，具体问开药医生或药师。',
    lead: '偶尔漏服一次不用太紧张，关键是别一次补双倍。|漏服的处理有个一般原则，但不同药物要求不同。|一般来说，想起来时离下次服药还远，就尽快补上。',
    points: '想起时离下次服药时间还远，可以尽快补上|如果已接近下一次服药时间，就跳过这一次|不要一次吃双倍来“补回来”|不同药物规定不同，看说明书上的漏服说明|可以用手机闹钟或分格药盒避免再次漏服',
    close: '经常漏服或不确定怎么处理时，问开药医生或药师最稳妥。|如果漏服后出现头晕、心慌等不适，请及时就医。|复诊时把漏服情况告诉医生，方便调整方案。',
  }),
  t('zh', 'self 20-75|parent 55-85|spouse 25-70', {
    q: '药过期了一两个月还能吃吗？|家里的药刚过期几天，扔了挺可惜的，还能用吗？|过期的止咳糖浆还能喝吗？',
    think: '用户问过期药能否使用。过期药效价可能下降，少数会变质，液体和需冷藏的药风险更高，一般不建议使用。|{whoThink}，想用过期药。应说明风险、建议回收，并在需要时重新购买或就医。',
    lead: '一般不建议吃。|过期药最好不要再用。|不建议再用，哪怕只过期几天。',
    points: '过期药的有效成分可能降低，起不到应有的效果|糖浆、滴眼液等开封后更容易变质|需要冷藏的药放坏了可能无效|家庭药箱最好每半年清理一次|过期药交给药店或社区回收点，不要随手丢弃',
    close: '急需用药时请重新购买，或者就医。|不确定的药可以拿给药师看看。|家里常备药记得写上开封日期。',
  }),
  t('zh', 'self 30-75|parent 55-85|spouse 30-75', {
    q: '吃降压药期间能喝西柚汁吗？|听说吃某些药不能喝柚子汁，是真的吗？|吃降脂药的时候可以吃柚子吗？',
    think: '西柚汁会抑制肠道代谢药物的酶，使部分地平类降压药和部分他汀的血药浓度升高，需要根据具体药物判断。|{whoThink}，问西柚与药物的相互作用，要说明机制、举例并建议核对具体药物。',
    lead: '对部分药物来说确实要注意。|是真的，但只针对一部分药。|要看具体是什么药。',
    points: '西柚（葡萄柚）汁会抑制肠道里代谢药物的酶|部分地平类降压药受影响，可能引起头晕、血压过低|部分他汀类降脂药受影响，可能增加肌肉损伤风险|其他常见水果一般没有这个问题|拿不准时，服药期间先别喝西柚汁',
    close: '把药盒拿给药师或医生看看，确认你吃的药受不受影响。|不同的药受影响程度不同，最好问一下开药医生。|有疑问可以咨询药师或医院药学门诊。',
  }),
  t('zh', 'self 18-75|parent 55-85|child 6-14', {
    q: '药是饭前吃还是饭后吃？说明书写得看不懂|“空腹服用”是指什么时候？|胃不好，吃药能不能都放在饭后？',
    think: '用户问服药时间。“饭前”“饭后”“空腹”各有含义，与药物吸收和胃肠刺激有关，要解释清楚并建议按说明书或问药师。|需要解释服药时间的常见说法，并提醒不同药物要求不同。',
    lead: '服药时间确实会影响效果，可以这样理解：|说明书上的说法一般是这个意思：|这几个说法的含义如下：',
    points: '“饭前”一般指饭前半小时到一小时|“饭后”一般指饭后半小时左右|“空腹”通常指饭前一小时或饭后两小时|对胃有刺激的药多放在饭后|有些药必须空腹才能吸收好，不能随意改到饭后',
    close: '不确定的，按说明书执行，或者问一下药师。|胃不舒服想调整时间，先问开药医生。|把几种药的服用时间列个表，更不容易弄错。',
  }),
  t('zh', 'self 25-75|parent 55-85|spouse 30-70', {
    q: '中药和西药能一起吃吗？要隔多久？|在喝中药，同时还要吃降糖药，会不会冲突？|中成药和西药一起吃有问题吗？',
    think: '{whoThink}，中西药同服。部分中药与西药有相互作用，一般建议间隔一段时间，并告知医生正在使用的所有药物。|中西药同服要注意相互作用和重复成分，应建议间隔服用并告诉医生。',
    lead: '很多情况下可以一起用，但要注意几点。|中西药同服不是绝对不行，关键是别重复、别冲突。|可以，但最好让医生知道你同时在吃哪些药。',
    points: '一般建议中药和西药间隔半小时到一小时服用|有些中成药里含西药成分，容易重复用药|部分中药会影响降糖、降压或抗凝药的效果|就诊时把正在吃的所有药，包括中药和保健品，都告诉医生|不要自行停掉医生开的西药',
    close: '具体能不能同服，请咨询开药医生或药师。|用药期间如有不适，及时就医。|复诊时把药盒带上，让医生帮忙核对。',
  }),
  t('zh', 'self 20-70|spouse 25-70|parent 50-80', {
    q: '吃药期间能喝酒吗？只喝一点点|晚上有饭局，白天刚吃了感冒药，能喝点酒吗？|吃着降糖药，喝点啤酒有影响吗？',
    think: '{whoThink}，服药期间想饮酒。酒精与很多药物相互作用，如头孢类的双硫仑样反应、对乙酰氨基酚伤肝、降糖药致低血糖，应劝其避免。|服药期间饮酒风险较多，需要举例说明并建议不喝。',
    lead: '服药期间最好不要喝酒，哪怕只喝一点。|不建议，酒精和很多药物会相互作用。|最稳妥的做法是用药期间不喝酒。',
    points: '部分药物和酒精同用会出现面红、心慌、血压下降等反应|感冒药里的对乙酰氨基酚加上酒精会增加肝损伤风险|降糖药和酒精同用可能引起低血糖|镇静类药物和酒精同用会加重嗜睡|停药后也最好隔几天再喝',
    close: '拿不准时问一下药师。|喝酒后如果出现胸闷、心慌或呼吸不畅，请立即就医。|应酬难免时，提前告诉同伴自己在用药。',
  }),
  t('en', 'self 18-70|parent 55-80|spouse 25-65', {
    q: 'Can {who} take two different cold and flu products at the same time?|Should {who} combine a cold remedy with a separate fever reducer?|Can {who} use a nighttime cold medicine on top of a daytime one?',
    think: 'Combination cold products often share acetaminophen or decongestants; two products risk a double dose. Teach label reading and a pharmacist check.|The user asks about stacking cold products. Explain overlapping active ingredients and the daily limit.',
    lead: 'It is best not to.|Usually no, because the ingredients overlap.|Be careful: many of these products contain the same ingredients.',
    points: 'many cold products contain acetaminophen, and two can add up to more than the safe daily limit|use one combination product at a time|compare the active ingredients on the Drug Facts labels|decongestants in two products can raise heart rate and blood pressure|older adults and people with liver disease need extra care',
    close: 'Ask a pharmacist if you are unsure.|If you think too much acetaminophen was taken, call Poison Control even if you feel fine.|A pharmacist can check everything you take in a minute.',
  }),
  t('en', 'self 30-80|parent 55-85|spouse 30-75', {
    q: 'Can {who} drink grapefruit juice with regular medicines?|Should {who} avoid grapefruit while on a statin?|Can {who} have grapefruit with blood pressure pills?',
    think: 'Grapefruit inhibits a gut enzyme that breaks down some statins and calcium channel blockers, raising their levels; it depends on the specific medicine.|Grapefruit interactions depend on the drug. Explain the mechanism and suggest checking each medicine with a pharmacist.',
    lead: 'It depends on the medicine.|For some medicines, yes, grapefruit matters.|Sometimes, so it is worth checking.',
    points: 'grapefruit can raise the blood level of some cholesterol drugs such as simvastatin|some blood pressure drugs such as felodipine are affected too|higher levels can mean more side effects|most other fruit juices do not have this effect|until you know, skip grapefruit',
    close: 'Check the leaflet or ask your pharmacist about each medicine.|Your pharmacist can tell you which of your medicines are affected.|Bring your medicine list to your next visit.',
  }),
  t('en', 'self 40-80|parent 55-85', {
    q: 'What should {who} do after missing a daily pill?|Should {who} take a missed blood pressure pill later in the day?|If {who} forgot a pill yesterday, should it be doubled today?',
    think: 'Missed-dose advice depends on the drug and the time to the next dose; general rule: take it when remembered unless the next dose is near, never double.|The user missed a regular medicine. Give the general rule and point to the leaflet or pharmacist.',
    lead: 'Missing one dose is rarely a disaster.|There is a general rule, though each medicine has its own instructions.|Do not double up.',
    points: 'take it as soon as you remember if the next dose is still hours away|skip it if the next dose is nearly due|never take a double dose to catch up|the leaflet has instructions for missed doses|a phone alarm or pill organizer helps',
    close: 'When in doubt, ask your pharmacist or prescriber.|Tell your doctor if doses are often missed, so the plan can be simplified.|Call your doctor if you feel unwell after a missed dose.',
  }),
  t('en', 'self 20-70|spouse 25-70', {
    q: 'Can {who} have a drink while taking medication?|Should {who} skip alcohol while on cold medicine?|Can {who} have a beer with diabetes pills?',
    think: 'Alcohol interacts with many medicines: more liver strain with acetaminophen, low blood sugar with diabetes drugs, extra drowsiness with sedating medicines. Advise avoiding it.|The user asks about alcohol and medicines. Give examples of interactions and advise caution.',
    lead: 'It is safest to avoid alcohol while taking medicine.|Often no, because alcohol interacts with many medicines.|Best to skip it for now.',
    points: 'acetaminophen plus alcohol adds strain on the liver|diabetes medicines plus alcohol can cause low blood sugar|sedating medicines plus alcohol cause more drowsiness|some medicines cause flushing and a racing heart with alcohol|the label often warns about alcohol',
    close: 'A pharmacist can check your specific medicines.|Ask your doctor if you are unsure.|Check the label warnings before drinking.',
  }),
];

import type { ColorGrade, Transition, Motion } from '@app/contracts';

/**
 * Word tables of the local ad planner (the modules beside this file). Data only: every rule that reads these
 * tables lives in the planner, so a copywriter can tune the wording here without touching logic.
 *
 * Copy templates use `{name}` (product name) and `{audience}`; image-prompt templates use `{subject}` (product noun
 * phrase), `{audience}`, `{setting}` and `{problemSetting}` (from the category profile).
 */

/** A word list written as one comma-separated string, so long tables stay readable. */
function kw(list: string): readonly string[] {
  return list.split(/\s*,\s*/);
}

/** The voice of an ad: picks copy, music, motion and transitions. */
export const VOICES = ['elegant', 'energetic', 'warm', 'confident', 'playful', 'calm', 'uplifting'] as const;
export type Voice = (typeof VOICES)[number];

/** What a voice implies for the rest of the plan. Tempos: docs/design/offline-planner.md, "Voice and tempo" (luxury ~80, energetic ~124, warm ~90, corporate ~110). */
export interface VoiceProfile {
  /** Prompt words that vote for this voice (matched as whole words or word prefixes ending in `*`). */
  keywords: readonly string[];
  mood: string;
  tempoBpm: number;
  /** Transitions cycled scene by scene. */
  transitions: readonly Transition[];
  /** Camera motions cycled scene by scene; all distinct so consecutive scenes never repeat one. */
  motions: readonly Motion[];
  /** Style used when the brand gives none. */
  style: string;
  lighting: string;
  /** Hue (degrees) of the derived accent colour when the brand colours are greys or absent. */
  accentHue: number;
  /** Hue offset (degrees) of the second derived colour from the accent hue: analogous for quiet voices, complementary for loud ones. */
  harmonyOffset: number;
  /** Colours standing in for brand colours when the request has none. */
  basePalette: readonly [string, string];
  /** Image-model style keywords appended to every visual prompt. */
  styleKeywords: string;
}

export const VOICE_PROFILES: Readonly<Record<Voice, VoiceProfile>> = {
  elegant: {
    keywords: kw(
      'luxury, luxurious, elegant, elegance, premium, gold, golden, sophisticated, exclusive, refined, timeless, opulent, high-end, haute, couture, jewel*, diamond*, classy, minimalist',
    ),
    mood: 'elegant',
    tempoBpm: 80,
    transitions: ['dissolve', 'crossfade'],
    motions: ['zoom_in', 'pan_right', 'zoom_out', 'pan_left', 'pan_up'],
    style: 'luxury minimalist editorial',
    lighting: 'soft low-key studio lighting with a warm golden rim light',
    accentHue: 45,
    harmonyOffset: -15,
    basePalette: ['#D4AF37', '#111111'],
    styleKeywords:
      'high-end editorial product photography, minimalist composition, photorealistic, 85mm lens',
  },
  energetic: {
    keywords: kw(
      'energetic, energy, bold, dynamic, sport, sports, sporty, run, runner*, running, athlet*, fitness, gym, workout, hype, fast, speed, exciting, extreme, active, street, urban, sneaker*, launch, drop, tiktok, young, youth, gen z',
    ),
    mood: 'energetic',
    tempoBpm: 124,
    transitions: ['slide', 'wipe'],
    motions: ['zoom_in', 'pan_left', 'pan_up', 'pan_right', 'zoom_out'],
    style: 'bold dynamic sports commercial',
    lighting: 'crisp high-contrast daylight with punchy highlights',
    accentHue: 18,
    harmonyOffset: 180,
    basePalette: ['#FF5A1F', '#0F172A'],
    styleKeywords:
      'dynamic commercial photography, motion energy, bold contrast, photorealistic, wide-angle lens',
  },
  warm: {
    keywords: kw(
      'warm, cozy, cosy, rustic, homemade, home-made, handmade, comfort, comforting, autumn, fall, pumpkin, spice, cinnamon, coffee, latte, cafe, café, bakery, baked, family, neighborhood, neighbourhood, local, artisan*, hearty',
    ),
    mood: 'warm',
    tempoBpm: 90,
    transitions: ['crossfade', 'dissolve'],
    motions: ['pan_right', 'zoom_in', 'pan_left', 'zoom_out', 'pan_up'],
    style: 'warm rustic lifestyle',
    lighting: 'warm golden-hour window light with soft shadows',
    accentHue: 28,
    harmonyOffset: -20,
    basePalette: ['#B45309', '#FFF7ED'],
    styleKeywords:
      'cozy lifestyle photography, natural textures, shallow depth of field, photorealistic, 50mm lens',
  },
  confident: {
    keywords: kw(
      'confident, professional, corporate, business, enterprise, productivity, productive, b2b, saas, software, app, platform, tool, dashboard, team, teams, workflow, project, management, modern, clean, tech, technology, linkedin, efficient, smart',
    ),
    mood: 'confident',
    tempoBpm: 110,
    transitions: ['slide', 'crossfade'],
    motions: ['zoom_in', 'pan_right', 'zoom_out', 'pan_left', 'pan_up'],
    style: 'modern clean tech',
    lighting: 'bright, even softbox lighting with clean highlights',
    accentHue: 220,
    harmonyOffset: 180,
    basePalette: ['#2563EB', '#F8FAFC'],
    styleKeywords: 'modern tech commercial, clean minimal interface aesthetic, photorealistic, crisp focus',
  },
  playful: {
    keywords: kw(
      'playful, fun, funny, quirky, colorful, colourful, kids, children, toy, toys, candy, party, silly, bright, pop, cute',
    ),
    mood: 'playful',
    tempoBpm: 118,
    transitions: ['wipe', 'slide'],
    motions: ['zoom_in', 'pan_up', 'pan_right', 'zoom_out', 'pan_left'],
    style: 'bright playful pop',
    lighting: 'bright high-key lighting with colourful bounce light',
    accentHue: 330,
    harmonyOffset: 150,
    basePalette: ['#EC4899', '#FDE047'],
    styleKeywords:
      'vibrant pop-art inspired photography, saturated colours, playful composition, photorealistic',
  },
  calm: {
    keywords: kw(
      'calm, relax, relaxing, serene, peaceful, wellness, spa, mindful, mindfulness, meditation, sleep, gentle, natural, organic, soothing, yoga',
    ),
    mood: 'calm',
    tempoBpm: 72,
    transitions: ['dissolve', 'crossfade'],
    motions: ['pan_right', 'zoom_in', 'pan_left', 'zoom_out', 'pan_down'],
    style: 'serene natural minimal',
    lighting: 'diffused soft morning light',
    accentHue: 165,
    harmonyOffset: 30,
    basePalette: ['#5FA8A0', '#F1F5F4'],
    styleKeywords: 'serene lifestyle photography, airy composition, natural materials, photorealistic',
  },
  uplifting: {
    keywords: [],
    mood: 'uplifting',
    tempoBpm: 100,
    transitions: ['crossfade'],
    motions: ['zoom_in', 'pan_right', 'zoom_out', 'pan_left', 'pan_up'],
    style: 'bright contemporary commercial',
    lighting: 'bright natural daylight',
    accentHue: 38,
    harmonyOffset: 180,
    basePalette: ['#F59E0B', '#1E3A8A'],
    styleKeywords: 'contemporary commercial photography, clean composition, photorealistic',
  },
};

/** Colour-grade cues (docs/design/offline-planner.md, "Colour grade": luxury for luxury/elegant/gold, warm for cozy/rustic/coffee, cool for tech/clean/modern/ocean). */
export const GRADE_KEYWORDS: ReadonlyArray<{
  grade: Exclude<ColorGrade, 'neutral'>;
  keywords: readonly string[];
}> = [
  {
    grade: 'luxury',
    keywords: kw(
      'luxury, luxurious, elegant, elegance, gold, golden, premium, opulent, jewel*, diamond*, champagne',
    ),
  },
  {
    grade: 'warm',
    keywords: kw(
      'cozy, cosy, warm, rustic, coffee, latte, cafe, café, autumn, pumpkin, cinnamon, spice, bakery, sunset, fireplace, homemade, vintage',
    ),
  },
  {
    grade: 'cool',
    keywords: kw(
      'tech, technology, clean, modern, ocean, sea, water, app, software, saas, digital, cloud, ai, ice, icy, winter, futuristic, cyber, blue',
    ),
  },
];

/**
 * Framework cues (docs/design/offline-planner.md, "Frameworks": PAS, BAB or AIDA). Regular expressions over the lower-cased
 * prompt; each match is one vote. No vote for either means AIDA.
 */
export const FRAMEWORK_CUES: Readonly<{ PAS: readonly RegExp[]; BAB: readonly RegExp[] }> = {
  PAS: [
    /\bproblems?\b/,
    /\bpain(?:ful|s)?\b/,
    /\bstruggl\w*/,
    /\b(?:tired|sick) of\b/,
    /\bfrustrat\w*/,
    /\bhassle\w*/,
    /\bannoy\w*/,
    /\bstress(?:ed|ful)?\b/,
    /\bwast(?:e|es|ed|ing)\b/,
    /\bsav(?:e|es|ing)\b[^.!?]{0,40}?\b(?:time|hours?|hrs?|minutes?|mins?|days?)\b/,
    /\btime[- ]sav\w*/,
    /\b(?:fix|fixes|solve|solves|solving)\b/,
    /\bheadaches?\b/,
    /\bchao(?:s|tic)\b/,
    /\boverwhelm\w*/,
    /\bno more\b/,
    /\bnever again\b/,
    /\bstop (?:\w+ing)\b/,
    /\blos(?:e|es|ing) (?:time|hours|money|sleep)\b/,
  ],
  BAB: [
    /\btransform\w*/,
    /\bbefore\b/,
    /\bafter\b/,
    /\bupgrad\w*/,
    /\bswitch(?:ing)?\b/,
    /\bmakeover\b/,
    /\bchange(?:s|d)?\b/,
    /\bsustainab\w*/,
    /\beco[- ]?friendly\b/,
    /\brecycl\w*/,
    /\bupcycl\w*/,
    /\breinvent\w*/,
    /\brenovat\w*/,
    /\bglow[- ]up\b/,
    /\blevel up\b/,
    /\bnew you\b/,
    /\bjourney\b/,
  ],
};

/** Platforms (ad placements) the prompt may name, first match in prompt order wins. */
export const PLATFORM_CUES: ReadonlyArray<{ platform: string; pattern: RegExp }> = [
  { platform: 'instagram', pattern: /\b(?:instagram|insta|reels?)\b/i },
  { platform: 'tiktok', pattern: /\btik ?tok\b/i },
  { platform: 'youtube', pattern: /\b(?:youtube|yt shorts|shorts)\b/i },
  { platform: 'facebook', pattern: /\b(?:facebook|fb)\b/i },
  { platform: 'linkedin', pattern: /\blinked ?in\b/i },
  { platform: 'stories', pattern: /\bstories\b/i },
  { platform: 'snapchat', pattern: /\bsnap ?chat\b/i },
  { platform: 'pinterest', pattern: /\bpinterest\b/i },
  { platform: 'x', pattern: /\b(?:twitter|tweet)\b/i },
];

/** Head nouns that make a "for ..." phrase an audience rather than a product. */
export const AUDIENCE_NOUNS: ReadonlySet<string> = new Set(
  kw(
    'runners, athletes, teams, team, parents, moms, mums, mothers, dads, fathers, families, students, professionals, gamers, women, men, kids, children, teens, teenagers, travelers, travellers, developers, engineers, designers, founders, entrepreneurs, businesses, startups, creators, millennials, seniors, retirees, couples, homeowners, owners, lovers, fans, shoppers, commuters, marketers, managers, nurses, doctors, teachers, people, everyone, foodies, enthusiasts, beginners, pros, companies, agencies, freelancers, workers, employees, customers, users, readers, cyclists, hikers, golfers, yogis, drinkers, riders, drivers, buyers, brides, grooms, gardeners, cooks, chefs, artists, musicians, investors, collectors, adventurers, explorers, dreamers, nomads, coders',
  ),
);

/** Words that never belong to a product name: articles, possessives, marketing filler and ad-format words. */
export const NAME_FILLER: ReadonlySet<string> = new Set(
  kw(
    'a, an, the, our, my, your, their, its, his, her, this, that, these, those, new, brand-new, all-new, latest, newest, some, any, great, amazing, awesome, best, cool, nice, very, super, ad, ads, advert, advertisement, commercial, video, promo, spot, campaign, teaser, reel, clip, create, make, generate, please, second, seconds, sec, s, instagram, tiktok, youtube, facebook, linkedin, square, vertical, horizontal, story, stories, post, short',
  ),
);

/** Trailing words dropped from a product name: "sneaker line" is sold as "Sneaker". */
export const NAME_TRAILING_GENERIC: ReadonlySet<string> = new Set(
  kw('line, collection, range, series, brand, product, products, lineup'),
);

/** Words a product phrase stops at: relative clauses, prepositions that start a detail, conjunctions. */
export const PHRASE_STOP_WORDS: ReadonlySet<string> = new Set(
  kw(
    'with, that, which, who, made, featuring, using, to, in, on, at, targeting, aimed, for, from, by, and, or, but, showing, highlighting, where, during, now, under, is, are, will, so, while, because, crafted, built, designed, available, starting, priced, get, save, saves, helps, help, lets, offering, plus, like, than, as',
  ),
);

/** Plural head nouns that must not be singularised. */
export const PLURAL_ONLY: ReadonlySet<string> = new Set(
  kw(
    'glasses, sunglasses, jeans, pants, trousers, shorts, leggings, tights, headphones, earbuds, clothes, cosmetics, electronics, goods, news, series, species, scissors, binoculars, sweats, joggers, essentials, supplies, services, solutions, analytics, logistics, sales, savings, plus, bus, gas',
  ),
);

/** A product category: its cues, where its images are set and how its copy talks. */
export interface CategoryProfile {
  category: string;
  /** Product words that place the prompt in this category (matched as whole words or prefixes ending in `*`). */
  keywords: readonly string[];
  /** Voice used when the prompt has no tone words of its own. */
  defaultVoice: Voice;
  defaultAudience: string;
  /** Scene setting for image prompts. */
  setting: string;
  /** Where the PAS problem / BAB before scene is set. */
  problemSetting: string;
  /** PAS hook when the prompt names no pain of its own. */
  pain: string;
  /** PAS agitate line. */
  agitate: string;
  /** BAB before / after lines. */
  before: string;
  after: string;
  /** Default call to action. */
  cta: string;
}

export const CATEGORY_PROFILES: readonly CategoryProfile[] = [
  {
    category: 'watches & jewelry',
    keywords: kw(
      'watch*, timepiece*, jewel*, ring, rings, necklace*, bracelet*, earring*, diamond*, chronograph*',
    ),
    defaultVoice: 'elegant',
    defaultAudience: 'discerning collectors',
    setting: 'on polished black marble with soft reflections',
    problemSetting: 'with an ordinary, forgettable accessory on a plain wrist',
    pain: 'Tired of forgettable style?',
    agitate: 'Ordinary never leaves a mark',
    before: 'Before: just another accessory',
    after: 'After: a piece people remember',
    cta: 'Discover the collection',
  },
  {
    category: 'footwear & apparel',
    keywords: kw(
      'sneaker*, shoe*, trainers, boots, footwear, apparel, jacket*, hoodie*, shirt*, t-shirt*, dress*, jeans, leggings, activewear, clothing, fashion, outfit*',
    ),
    defaultVoice: 'energetic',
    defaultAudience: 'active city dwellers',
    setting: 'on an urban running track at sunrise',
    problemSetting: 'with worn-out gear on a grey city pavement',
    pain: 'Gear holding you back?',
    agitate: 'Every mile feels heavier',
    before: 'Before: gear that costs the planet',
    after: 'After: every step gives back',
    cta: 'Shop the drop',
  },
  {
    category: 'software',
    keywords: kw(
      'app, apps, software, saas, platform, tool, tools, dashboard, crm, api, plugin, extension, website, ai, assistant, management',
    ),
    defaultVoice: 'confident',
    defaultAudience: 'busy teams',
    setting: 'on a sleek laptop screen in a bright modern office',
    problemSetting: 'at a cluttered desk buried in sticky notes, spreadsheets and notifications',
    pain: 'Drowning in busywork?',
    agitate: 'Deadlines slip. Focus disappears.',
    before: 'Before: scattered tools and chaos',
    after: 'After: one calm, clear workflow',
    cta: 'Get started today',
  },
  {
    category: 'coffee & beverages',
    keywords: kw(
      'coffee, latte*, espresso*, cappuccino*, tea, teas, matcha, cafe, café, brew*, smoothie*, juice*, drink*, beverage*, soda*, beer*, wine*, kombucha',
    ),
    defaultVoice: 'warm',
    defaultAudience: 'coffee and tea lovers',
    setting: 'on a rustic wooden café counter with gentle steam rising',
    problemSetting: 'on a rushed grey morning with a bland paper cup',
    pain: 'Mornings feeling flat?',
    agitate: 'Another rushed, bland cup',
    before: 'Before: the same bland cup',
    after: 'After: a moment worth savoring',
    cta: 'Order yours today',
  },
  {
    category: 'food & dining',
    keywords: kw(
      'food, pizza*, burger*, restaurant*, snack*, meal*, bakery, cake*, cookie*, chocolate*, dessert*, sandwich*, taco*, sushi, salad*, bread, ice cream, kitchen, recipe*, dinner, lunch, breakfast',
    ),
    defaultVoice: 'warm',
    defaultAudience: 'hungry food lovers',
    setting: 'on a styled kitchen table in natural light',
    problemSetting: 'staring into an empty fridge late at night',
    pain: 'Nothing good to eat?',
    agitate: 'Another boring, rushed meal',
    before: 'Before: the same old meals',
    after: 'After: every bite a treat',
    cta: 'Order now',
  },
  {
    category: 'beauty & personal care',
    keywords: kw(
      'skincare, skin, serum*, cream*, moisturi*, makeup, lipstick*, mascara, perfume*, fragrance*, cologne, shampoo*, beauty, cosmetic*, lotion*, nail*',
    ),
    defaultVoice: 'calm',
    defaultAudience: 'self-care lovers',
    setting: 'on a clean marble vanity with soft petals',
    problemSetting: 'in a harsh bathroom mirror under flat light',
    pain: 'Skin feeling dull?',
    agitate: 'Routines that promise, never deliver',
    before: 'Before: tired, dull skin',
    after: 'After: a natural, confident glow',
    cta: 'Shop now',
  },
  {
    category: 'consumer electronics',
    keywords: kw(
      'phone*, smartphone*, headphone*, earbud*, laptop*, camera*, speaker*, gadget*, tablet*, smartwatch*, console*, drone*, charger*, keyboard*, monitor*',
    ),
    defaultVoice: 'confident',
    defaultAudience: 'tech enthusiasts',
    setting: 'on a minimal desk setup with soft ambient glow',
    problemSetting: 'with tangled cables and a dead battery',
    pain: 'Tech letting you down?',
    agitate: 'Lag. Dead batteries. Again.',
    before: 'Before: tangled, slow, outdated',
    after: 'After: fast, seamless, effortless',
    cta: 'Shop now',
  },
  {
    category: 'fitness & wellness',
    keywords: kw(
      'fitness, gym*, yoga, protein, supplement*, workout*, training, pilates, wellness, meditation, sleep, vitamin*',
    ),
    defaultVoice: 'energetic',
    defaultAudience: 'people chasing their best shape',
    setting: 'in a sunlit modern gym',
    problemSetting: 'slumped on a couch feeling drained',
    pain: 'Stuck in a fitness rut?',
    agitate: 'Same effort. No results.',
    before: 'Before: drained and stuck',
    after: 'After: strong and unstoppable',
    cta: 'Start today',
  },
  {
    category: 'travel & hospitality',
    keywords: kw(
      'travel*, hotel*, resort*, flight*, vacation*, holiday*, trip*, cruise*, airline*, getaway*, tour*',
    ),
    defaultVoice: 'uplifting',
    defaultAudience: 'curious travelers',
    setting: 'at a breathtaking seaside destination',
    problemSetting: 'stuck in a grey office staring out of the window',
    pain: 'Need a real escape?',
    agitate: 'Another weekend, same four walls',
    before: 'Before: same four walls',
    after: 'After: somewhere unforgettable',
    cta: 'Book now',
  },
  {
    category: 'finance',
    keywords: kw(
      'bank*, banking, insurance, finance, financial, invest*, credit, loan*, budget*, savings, crypto*, payment*, card',
    ),
    defaultVoice: 'confident',
    defaultAudience: 'smart savers',
    setting: 'in a calm modern home office',
    problemSetting: 'surrounded by unpaid bills and a glowing calculator',
    pain: 'Money stress piling up?',
    agitate: 'Hidden fees. Endless paperwork.',
    before: 'Before: fees and guesswork',
    after: 'After: money that works for you',
    cta: 'Get started',
  },
  {
    category: 'home & living',
    keywords: kw(
      'furniture, sofa*, couch*, chair*, table*, decor, lamp*, bed, beds, mattress*, rug*, candle*, home, kitchenware, cookware',
    ),
    defaultVoice: 'warm',
    defaultAudience: 'homeowners',
    setting: 'in a bright, airy living room',
    problemSetting: 'in a cramped, cluttered room',
    pain: 'Home feeling uninspired?',
    agitate: 'Clutter everywhere you look',
    before: 'Before: cluttered and dull',
    after: 'After: a home you love',
    cta: 'Shop now',
  },
  {
    category: 'pets',
    keywords: ['pet', 'pets', 'dog*', 'cat', 'cats', 'puppy', 'puppies', 'kitten*'],
    defaultVoice: 'playful',
    defaultAudience: 'pet parents',
    setting: 'in a cozy home with a happy pet',
    problemSetting: 'with a bored pet staring at a plain bowl',
    pain: 'Bored, picky pet?',
    agitate: 'Another untouched bowl',
    before: 'Before: a bored, picky pet',
    after: 'After: a happy, healthy buddy',
    cta: 'Shop now',
  },
  {
    category: 'education',
    keywords: kw('course*, class, classes, learn*, education, school*, tutor*, bootcamp*, lesson*, academy'),
    defaultVoice: 'uplifting',
    defaultAudience: 'lifelong learners',
    setting: 'in a bright study space with a laptop and notes',
    problemSetting: 'stuck on a confusing page late at night',
    pain: 'Stuck learning alone?',
    agitate: 'Hours lost, nothing sticks',
    before: 'Before: stuck and confused',
    after: 'After: confident and skilled',
    cta: 'Enroll today',
  },
  {
    category: 'automotive',
    keywords: kw(
      'car, cars, vehicle*, suv, suvs, truck*, ev, evs, motorbike*, motorcycle*, bike, bikes, scooter*',
    ),
    defaultVoice: 'confident',
    defaultAudience: 'drivers',
    setting: 'on an open coastal road at golden hour',
    problemSetting: 'stuck in grey rush-hour traffic',
    pain: 'Tired of the same commute?',
    agitate: 'Traffic, noise, wasted hours',
    before: 'Before: a commute you dread',
    after: 'After: a drive you crave',
    cta: 'Book a test drive',
  },
];

/** Used when no category keyword matches. */
export const DEFAULT_CATEGORY: CategoryProfile = {
  category: 'consumer product',
  keywords: [],
  defaultVoice: 'uplifting',
  defaultAudience: 'everyday customers',
  setting: 'in a bright, stylish lifestyle setting',
  problemSetting: 'in a dull, frustrating everyday moment',
  pain: 'Tired of settling for less?',
  agitate: 'Settling costs more than you think',
  before: 'Before: settling for less',
  after: 'After: the upgrade you deserve',
  cta: 'Shop now',
};

/** On-screen copy per role and voice; `default` covers voices without their own line. Index = variant when a role is split. */
export type CopyTable = Readonly<Partial<Record<Voice, readonly string[]>> & { default: readonly string[] }>;

export const ROLE_COPY: Readonly<
  Record<'attention' | 'interest' | 'desire' | 'solution' | 'bridge', CopyTable>
> = {
  attention: {
    elegant: ['{name}. Timeless by design.'],
    energetic: ['Meet {name}. Built to move.'],
    warm: ['Your new favorite: {name}'],
    confident: ['Meet {name}. Work, simplified.'],
    playful: ['Say hello to {name}!'],
    calm: ['Breathe in. Meet {name}.'],
    default: ['Meet {name}'],
  },
  interest: {
    elegant: ['Crafted with uncompromising detail'],
    energetic: ['Light. Fast. Made for {audience}.'],
    warm: ['Made fresh, made with care'],
    confident: ['Everything in one clear place'],
    playful: ['Fun in every single detail'],
    calm: ['Gentle by nature'],
    default: ['Made for {audience}'],
  },
  desire: {
    elegant: ['Elegance you can feel', 'Made to be noticed'],
    energetic: ['Go further, faster', 'Every step, stronger'],
    warm: ['Comfort in every moment', 'Made to be shared'],
    confident: ['More done. Less stress.', 'Built for {audience}'],
    playful: ['Joy, unboxed', 'Made to make you smile'],
    calm: ['Your moment of calm', 'Feel the difference'],
    default: ['You deserve {name}', 'Made with {audience} in mind'],
  },
  solution: {
    default: ['{name} fixes that', 'Finally, it just works'],
    elegant: ['{name}: effortless elegance', 'Finally, refined simplicity'],
    energetic: ['{name} changes the game', 'Finally, nothing holds you back'],
    warm: ['{name} makes it better', 'Finally, a moment for you'],
  },
  bridge: {
    default: ['{name} makes the switch easy', 'Made for {audience}'],
    energetic: ['{name}: make the switch', 'Made for {audience}'],
    elegant: ['{name}: the refined choice', 'Made for {audience}'],
  },
};

/** Image-prompt opening per role: what the frame shows. Index = variant when a role is split. */
export const ROLE_SHOTS: Readonly<Record<string, readonly string[]>> = {
  attention: [
    'Striking hero close-up of {subject} {setting}, dramatic reveal, macro lens, shallow depth of field',
  ],
  interest: [
    'Detailed close-up of {subject} showing texture, materials and craftsmanship, slow dolly camera',
  ],
  desire: [
    '{audience} enjoying {subject} {setting}, aspirational lifestyle moment, medium shot',
    '{subject} in action with {audience}, candid lifestyle scene, wide shot, natural movement',
  ],
  action: [
    'Clean hero packshot of {subject} centered on a minimal backdrop, generous negative space for a call-to-action, eye-level shot',
  ],
  problem: [
    '{audience} visibly frustrated {problemSetting}, tense atmosphere, muted desaturated tones, handheld close-up',
  ],
  agitate: ['Tight close-up of mounting stress {problemSetting}, {audience}, dramatic shadows, slow push-in'],
  solution: [
    '{subject} revealed as the answer {setting}, {audience} relieved and smiling, bright uplifting mood, medium shot',
    '{audience} using {subject} with ease {setting}, confident and relaxed, over-the-shoulder shot',
  ],
  before: ['{audience} {problemSetting}, dull everyday routine, flat grey lighting, static wide shot'],
  after: [
    '{audience} thriving with {subject} {setting}, vibrant hopeful atmosphere, golden light, medium shot',
  ],
  bridge: [
    '{subject} presented as the bridge to a better routine {setting}, hero product shot, low-angle camera',
    'Close-up of hands using {subject} {setting}, step-by-step demonstration, shallow depth of field',
  ],
  cta: [
    'Clean hero packshot of {subject} centered on a minimal backdrop, generous negative space for a call-to-action, eye-level shot',
  ],
};

/** Calls to action a prompt may spell out itself; the first found replaces the category default. */
export const EXPLICIT_CTA_PATTERN =
  /\b(shop now|buy now|order now|order today|book now|book today|sign up(?: today| now| free)?|download (?:now|today|the app|it free)|learn more|try it free|try (?:it )?(?:now|today)|get started|visit us(?: today)?|subscribe(?: now| today)?|join (?:now|today|us)|start (?:your )?free trial|call (?:now|today))\b/i;

/** Time-saving wording for the PAS hook: "saves teams 5 hours every week" becomes "Losing 5 hours every week?". */
export const BENEFIT_PATTERN =
  /\bsav(?:e|es|ing)\s+(?:[\p{L}'-]+\s+){0,3}?(\d+(?:[.,]\d+)?\s*(?:hours?|hrs?|minutes?|mins?|days?|weeks?)(?:\s+(?:every|a|per|each)\s+(?:day|week|month|year))?)/iu;

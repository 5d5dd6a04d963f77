/**
 * The demo dataset's hand-written lexicon: help-centre article titles of "Nimbus Notes", a fictional
 * note-taking app with per-platform articles, and the words its users type instead. Every title is an
 * action + an object + a platform ("Delete a connected device on Android"); every support question says
 * the same with synonyms ("how do i wipe my handset on my galaxy"), so a question shares no content word
 * with its article title and a model has to learn which words go together (`dataset.ts` checks this).
 */

/** One concept: how the help centre writes it, and how users write it. */
export interface Concept {
  /** The wording used in article titles. */
  title: string;
  /** User wordings; none may contain a word of any title. */
  synonyms: readonly string[];
}

/** An object the articles are about, with the actions that have an article. */
export interface ObjectConcept extends Concept {
  /** Keys of `ACTIONS` with an article about this object. */
  actions: readonly ActionKey[];
}

export type ActionKey =
  | 'change' | 'reset' | 'cancel' | 'renew' | 'export' | 'pay' | 'find' | 'print' | 'add' | 'delete'
  | 'restore' | 'rename' | 'move' | 'share' | 'enable' | 'disable' | 'sync' | 'verify';

export const ACTIONS: Readonly<Record<ActionKey, Concept>> = {
  change: { title: 'Change', synonyms: ['update', 'edit', 'modify', 'adjust'] },
  reset: { title: 'Reset', synonyms: ['recover', 'retrieve', 'regain'] },
  cancel: { title: 'Cancel', synonyms: ['stop', 'end', 'terminate', 'quit'] },
  renew: { title: 'Renew', synonyms: ['extend', 'prolong', 'continue'] },
  export: { title: 'Export', synonyms: ['download', 'take out', 'extract'] },
  pay: { title: 'Pay', synonyms: ['settle', 'clear', 'cover'] },
  find: { title: 'Find', synonyms: ['search for', 'locate', 'track down'] },
  print: { title: 'Print', synonyms: ['get a hard copy of', 'send to the printer', 'put on paper'] },
  add: { title: 'Add', synonyms: ['create', 'set up', 'insert'] },
  delete: { title: 'Delete', synonyms: ['remove', 'erase', 'trash', 'wipe'] },
  restore: { title: 'Restore', synonyms: ['undelete', 'bring back', 'rescue'] },
  rename: { title: 'Rename', synonyms: ['retitle', 'give a new name to', 'rebrand'] },
  move: { title: 'Move', synonyms: ['transfer', 'relocate', 'drag'] },
  share: { title: 'Share', synonyms: ['grant access to', 'invite people to', 'show others'] },
  enable: { title: 'Enable', synonyms: ['activate', 'unmute', 'allow'] },
  disable: { title: 'Disable', synonyms: ['deactivate', 'mute', 'silence', 'block'] },
  sync: { title: 'Sync', synonyms: ['synchronise', 'synchronize', 'mirror'] },
  verify: { title: 'Verify', synonyms: ['confirm', 'validate', 'prove'] },
};

export const OBJECTS: readonly ObjectConcept[] = [
  { title: 'your password', synonyms: ['passcode', 'passphrase', 'pin'], actions: ['change', 'reset'] },
  { title: 'your subscription', synonyms: ['plan', 'membership', 'monthly fee'], actions: ['change', 'cancel', 'renew'] },
  { title: 'an invoice', synonyms: ['receipt', 'bill', 'billing statement'], actions: ['export', 'pay', 'find', 'print'] },
  {
    title: 'a notebook',
    synonyms: ['journal', 'workbook', 'binder'],
    actions: ['add', 'delete', 'restore', 'share', 'export', 'rename', 'move', 'print'],
  },
  {
    title: 'a note',
    synonyms: ['memo', 'jotting', 'entry'],
    actions: ['add', 'delete', 'restore', 'share', 'export', 'move', 'find', 'print'],
  },
  { title: 'a folder', synonyms: ['directory', 'drawer', 'container'], actions: ['add', 'delete', 'rename', 'share', 'move'] },
  { title: 'an attachment', synonyms: ['attached file', 'uploaded file', 'enclosure'], actions: ['add', 'delete', 'export', 'find'] },
  { title: 'your email', synonyms: ['e-mail address', 'mailbox', 'contact address'], actions: ['change', 'verify'] },
  { title: 'your profile photo', synonyms: ['avatar', 'headshot', 'picture'], actions: ['change', 'delete', 'add'] },
  { title: 'a payment method', synonyms: ['credit card', 'debit card', 'bank card'], actions: ['add', 'change', 'delete'] },
  { title: 'two-factor authentication', synonyms: ['2fa', 'second login step', 'extra verification'], actions: ['enable', 'disable'] },
  { title: 'workspace members', synonyms: ['colleagues', 'coworkers', 'teammates'], actions: ['add', 'delete'] },
  { title: 'reminders', synonyms: ['alarms', 'nudges', 'follow-ups'], actions: ['add', 'delete', 'enable', 'disable', 'change'] },
  { title: 'notifications', synonyms: ['push alerts', 'pings', 'banners'], actions: ['enable', 'disable', 'change'] },
  { title: 'a connected device', synonyms: ['gadget', 'laptop', 'handset'], actions: ['add', 'delete', 'sync'] },
  { title: 'a backup', synonyms: ['snapshot', 'archive', 'checkpoint'], actions: ['restore', 'export', 'find', 'add'] },
  { title: 'tags', synonyms: ['labels', 'categories', 'keywords'], actions: ['add', 'delete', 'rename', 'find'] },
  { title: 'the theme', synonyms: ['dark mode', 'colour scheme', 'appearance'], actions: ['change'] },
];

/** Platforms every article exists for ("… on Android"). */
export const PLATFORMS: readonly Concept[] = [
  { title: 'on Android', synonyms: ['galaxy', 'pixel', 'samsung'] },
  { title: 'on iPhone', synonyms: ['ios', 'smartphone'] },
  { title: 'on iPad', synonyms: ['ipados', 'tablet'] },
  { title: 'on Mac', synonyms: ['macos', 'macbook', 'imac'] },
  { title: 'on Windows', synonyms: ['pc', 'surface', 'win11'] },
  { title: 'on Linux', synonyms: ['ubuntu', 'fedora', 'debian'] },
  { title: 'on the web', synonyms: ['browser', 'chrome', 'firefox', 'safari'] },
  { title: 'on Apple Watch', synonyms: ['watchos', 'smartwatch', 'wearable'] },
];

/** How a question names its platform: `{p}` is a platform synonym. */
export const PLATFORM_PHRASES: readonly string[] = [' on my {p}', ' using {p}', ' with {p}', ' via {p}'];

/**
 * Question templates: `{v}` is an action synonym, `{n}` an object synonym, `{p}` a platform phrase. Their
 * own words are shared by every question, so they carry no signal about the answer.
 */
export const QUESTION_TEMPLATES: readonly string[] = [
  'how do i {v} my {n}{p}',
  'how can i {v} my {n}{p}?',
  'i want to {v} my {n}{p}',
  'need to {v} my {n}{p}',
  'can i {v} my {n}{p}?',
  'where do i {v} my {n}{p}',
  'please help me {v} my {n}{p}',
  '{v} {n}{p}',
  'steps to {v} my {n}{p}',
  'how to {v} my {n}{p}?',
  'help: {v} my {n}{p}',
  "can't {v} my {n}{p}",
  'unable to {v} my {n}{p}',
];

/** What the similarity playground searches: the validation texts, the whole dataset, or texts the user pastes. */
import type { PlaygroundCorpus } from '../../worker/protocol';
import { useStudio } from '../store';

const CHOICES: readonly { kind: PlaygroundCorpus['kind']; label: string }[] = [
  { kind: 'validation', label: 'Validation texts' },
  { kind: 'dataset', label: 'The whole dataset' },
  { kind: 'pasted', label: 'Texts I paste' },
];

export function PlaygroundCorpusPicker() {
  const corpus = useStudio((s) => s.playground.corpus);
  const pasted = useStudio((s) => s.playground.pasted);
  const changed = useStudio((s) => s.playgroundCorpusChanged);
  return (
    <div className="playground-corpus">
      <fieldset className="row">
        <legend className="label-text">Search in</legend>
        {CHOICES.map((c) => (
          <label key={c.kind} className="inline">
            <input type="radio" name="playground-corpus" value={c.kind} checked={corpus === c.kind} onChange={() => changed(c.kind)} /> {c.label}
          </label>
        ))}
      </fieldset>
      {corpus === 'pasted' ? (
        <label className="wide">
          <span className="label-text">Texts to search, one per line</span>
          <textarea rows={5} value={pasted} onChange={(ev) => changed('pasted', ev.currentTarget.value)} placeholder={'How do I reset my password?\nOpening hours of the help desk\n…'} />
        </label>
      ) : null}
    </div>
  );
}

/**
 * The Hub access token field the model step and the Hub dataset picker share (one token in the store): for
 * private or gated repos, kept in this tab's memory (its sessionStorage when remembered), sent to huggingface.co only.
 */
import { useStudio } from '../store';

export function HubTokenField({ what }: { what: string }) {
  const hubToken = useStudio((s) => s.hubToken);
  const tokenChanged = useStudio((s) => s.hubTokenChanged);
  return (
    <div className="row">
      <label className="grow">
        <span className="label-text">{`Access token (for private ${what})`}</span>
        <input
          type="password"
          value={hubToken.token}
          onChange={(e) => tokenChanged({ token: e.currentTarget.value })}
          placeholder="hf_… (optional)"
          autoComplete="off"
          spellCheck={false}
        />
      </label>
      <label className="checkbox">
        <input type="checkbox" checked={hubToken.remember} onChange={(e) => tokenChanged({ remember: e.currentTarget.checked })} />
        <span>Remember for this tab</span>
      </label>
    </div>
  );
}

/**
 * The steps as a list beside the page (above it on narrow screens): where you are (aria-current), which are done
 * and which are not open yet; a click brings the step into view and focuses its heading.
 */
import { useSyncExternalStore } from 'react';
import { currentStep, type StepDirectory, type StepEntry } from './stepDirectory';

/** Scrolls the step's card into view and focuses its heading (instant when the user prefers reduced motion). */
export function showStep(entry: StepEntry): void {
  const card = document.getElementById(entry.id);
  const heading = document.getElementById(`${entry.id}-title`);
  if (!card || !heading) return;
  const smooth = !window.matchMedia?.('(prefers-reduced-motion: reduce)').matches;
  card.scrollIntoView({ behavior: smooth ? 'smooth' : 'auto', block: 'start' });
  heading.focus({ preventScroll: true });
}

function stateWord(s: StepEntry, current: boolean): string {
  if (s.done) return 'done';
  if (current) return 'current step';
  return s.enabled ? 'open' : 'not open yet';
}

export function StepNavigator({ directory }: { directory: StepDirectory }) {
  const steps = useSyncExternalStore(directory.subscribe, directory.getSnapshot);
  const current = currentStep(steps);
  if (steps.length === 0) return null;
  return (
    <nav className="step-nav" aria-label="Steps">
      <ol>
        {steps.map((s) => {
          const isCurrent = s.step === current;
          return (
            <li key={s.step} className={`step-nav-item${s.done ? ' done' : ''}${isCurrent ? ' current' : ''}${s.enabled ? '' : ' locked'}`}>
              <a
                href={`#${s.id}`}
                aria-current={isCurrent ? 'step' : undefined}
                aria-label={`Step ${s.step}: ${s.title}, ${stateWord(s, isCurrent)}`}
                onClick={(ev) => {
                  ev.preventDefault();
                  showStep(s);
                }}
              >
                <span className="step-nav-badge" aria-hidden="true">{s.done ? '✓' : s.step}</span>
                <span className="step-nav-title">{s.title}</span>
              </a>
            </li>
          );
        })}
      </ol>
    </nav>
  );
}

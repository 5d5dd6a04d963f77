/** The studio: seven steps on one page, each enabled once the previous one is done, with a navigator of where you are. */
import { DatasetStep } from './steps/DatasetStep';
import { EvaluateStep } from './steps/EvaluateStep';
import { ExportStep } from './steps/ExportStep';
import { MappingStep } from './steps/MappingStep';
import { ModelStep } from './steps/ModelStep';
import { SavedRuns } from './steps/SavedRuns';
import { SettingsStep } from './steps/SettingsStep';
import { TrainStep } from './steps/TrainStep';
import { useContext, useState } from 'react';
import { StepDirectoryContext } from './components';
import { StepDirectory, type StepEntry } from './stepDirectory';
import { showStep, StepNavigator } from './StepNavigator';
import { StoreContext, useStudio } from './store';
import { whereItRuns } from './whereItRuns';

/**
 * After a step the user was working in is done, the next open step comes into view with focus on its heading —
 * not while a saved session is being restored, and not when the user has already moved on elsewhere.
 */
function advanceIfWorkingIn(target: StepEntry, completed: StepEntry | undefined, restoring: () => boolean): void {
  if (restoring()) return;
  const active = document.activeElement;
  const inCompleted = completed ? document.getElementById(completed.id)?.contains(active) ?? false : false;
  if (active === null || active === document.body || inCompleted) showStep(target);
}

export function App() {
  const restoring = useStudio((s) => s.storage.restoring);
  const backend = useStudio((s) => s.backend);
  const store = useContext(StoreContext);
  const [directory] = useState(() => {
    const d: StepDirectory = new StepDirectory((target, completed) => {
      const done = d.getSnapshot().find((s) => s.step === completed);
      advanceIfWorkingIn(target, done, () => store?.getState().storage.restoring ?? false);
    });
    return d;
  });
  return (
    <StepDirectoryContext.Provider value={directory}>
      <div className="app">
        <header className="masthead">
          <h1>Embedding Studio</h1>
          <p data-testid="where-it-runs">{whereItRuns(backend)}</p>
        </header>
        {restoring ? (
          <div className="restoring" role="status" data-testid="restoring">
            Restoring your last session…
          </div>
        ) : null}
        <div className="layout">
          <StepNavigator directory={directory} />
          <main className="steps">
            <DatasetStep />
            <MappingStep />
            <ModelStep />
            {/* On wide screens the settings sit beside the run they shape. */}
            <div className="settings-and-run">
              <SettingsStep />
              <TrainStep />
            </div>
            <SavedRuns />
            <EvaluateStep />
            <ExportStep />
          </main>
        </div>
      </div>
    </StepDirectoryContext.Provider>
  );
}

/** The studio: seven steps on one page, each enabled once the previous one is done. */
import { DatasetStep } from './steps/DatasetStep';
import { EvaluateStep } from './steps/EvaluateStep';
import { ExportStep } from './steps/ExportStep';
import { MappingStep } from './steps/MappingStep';
import { ModelStep } from './steps/ModelStep';
import { SavedRuns } from './steps/SavedRuns';
import { SettingsStep } from './steps/SettingsStep';
import { TrainStep } from './steps/TrainStep';
import { useStudio } from './store';
import { whereItRuns } from './whereItRuns';

export function App() {
  const restoring = useStudio((s) => s.storage.restoring);
  const backend = useStudio((s) => s.backend);
  return (
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
      <main className="steps">
        <DatasetStep />
        <MappingStep />
        <ModelStep />
        <SettingsStep />
        <TrainStep />
        <SavedRuns />
        <EvaluateStep />
        <ExportStep />
      </main>
    </div>
  );
}

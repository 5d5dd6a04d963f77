/** The studio: seven steps on one page, each enabled once the previous one is done. */
import { DatasetStep } from './steps/DatasetStep';
import { EvaluateStep } from './steps/EvaluateStep';
import { ExportStep } from './steps/ExportStep';
import { MappingStep } from './steps/MappingStep';
import { ModelStep } from './steps/ModelStep';
import { SavedRuns } from './steps/SavedRuns';
import { SettingsStep } from './steps/SettingsStep';
import { TrainStep } from './steps/TrainStep';

export function App() {
  return (
    <div className="app">
      <header className="masthead">
        <h1>Embedding Studio</h1>
        <p>Fine-tune a sentence-embedding model in this tab, on your GPU. Your data never leaves your machine.</p>
      </header>
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

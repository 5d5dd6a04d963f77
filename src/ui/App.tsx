/** Placeholder page until the studio issue lands: the engine and CLI are usable today. */
export function App() {
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', maxWidth: 720, margin: '3rem auto', lineHeight: 1.5 }}>
      <h1>Embedding Studio</h1>
      <p>
        Fine-tune sentence-embedding models in your browser, on your GPU, with no data leaving your machine.
      </p>
      <p>
        The studio is under construction. The training engine is ready and runs headless today:
        <code> npm run --silent cli -- train --help</code>.
      </p>
    </main>
  );
}

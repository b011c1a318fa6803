import { render } from 'preact';

function App() {
  return <main>Tierwatch</main>;
}

render(<App />, document.getElementById('app')!);

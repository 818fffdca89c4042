export default function Home() {
  return (
    <main>
      <h1>Task API</h1>
      <p>
        Health: <a href="/api/health">/api/health</a>
      </p>
    </main>
  );
}

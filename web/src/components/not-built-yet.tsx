import { PageHeader } from './page-header';

/** Stands in for an area whose issue has not landed yet. */
export function NotBuiltYet({ title, summary }: { title: string; summary: string }) {
  return (
    <section>
      <PageHeader title={title} />
      <div className="card muted">
        <p>{summary}</p>
        <p>This area is not built yet.</p>
      </div>
    </section>
  );
}

import { type FormEvent, useState } from 'react';
import { useSearchParams } from 'react-router';
import {
  type DigestEntryView,
  useDigest,
  useDigests,
  useFeedback,
  usePaperSearch,
  useProfile,
  useSaveProfile,
} from '../../api/papers';
import { ErrorBoundary } from '../../components/error-boundary';
import { PageHeader } from '../../components/page-header';
import { StatusBadge } from '../../components/status-badge';

/** Only arXiv abstract pages are linked; any other URL is shown as text. */
const safeHref = (url: string) => (/^https:\/\/arxiv\.org\/abs\//.test(url) ? url : undefined);

const toList = (text: string) =>
  text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);

/** One paper of a digest. Paper text and summaries are untrusted: rendered as React text only. */
function EntryCard({ entry }: { entry: DigestEntryView }) {
  const feedback = useFeedback();
  const href = safeHref(entry.url);
  return (
    <article className="card" aria-label={`Paper ${entry.rank}`}>
      <h3>
        {entry.rank}.{' '}
        {href ? (
          <a href={href} target="_blank" rel="noreferrer noopener">
            {entry.title}
          </a>
        ) : (
          entry.title
        )}
      </h3>
      <p className="muted">
        {entry.authors.slice(0, 8).join(', ')}
        {entry.authors.length > 8 ? ' et al.' : ''} · arXiv:{entry.arxivId}v{entry.version} ·{' '}
        {entry.categories.join(', ')} · score {entry.score.toFixed(1)}
        {entry.hfUpvotes ? ` · ▲${entry.hfUpvotes}` : ''}
      </p>
      <p>
        <strong>Why: </strong>
        {entry.reasons.join('; ')}
      </p>
      {entry.summary && entry.summaryStatus !== 'failed' ? (
        <p style={{ whiteSpace: 'pre-wrap' }}>{entry.summary}</p>
      ) : (
        <p className="muted">Summary unavailable: {entry.summaryError ?? 'no summarizer configured'}</p>
      )}
      {entry.summaryStatus === 'wrong-language' && (
        <StatusBadge tone="warn">summary not in the requested language</StatusBadge>
      )}
      <div>
        {(['like', 'dislike', 'more'] as const).map((kind) => (
          <button
            key={kind}
            type="button"
            className="button"
            disabled={feedback.isPending}
            onClick={() => feedback.mutate({ arxivId: entry.arxivId, kind })}
          >
            {kind === 'like' ? '👍' : kind === 'dislike' ? '👎' : 'More like this'}
          </button>
        ))}
      </div>
    </article>
  );
}

function DigestArea({ day }: { day: string | undefined }) {
  const digest = useDigest(day);
  if (digest.isError) throw digest.error;
  if (!day)
    return (
      <p className="card muted">
        No digest yet: run <code>alignboard papers post</code>.
      </p>
    );
  const d = digest.data;
  if (!d) return <p className="muted">Loading…</p>;
  return (
    <div>
      <h2>
        Digest {d.id}{' '}
        <StatusBadge tone={d.status === 'posted' ? 'ok' : d.status === 'failed' ? 'bad' : 'neutral'}>
          {d.status}
        </StatusBadge>
      </h2>
      {d.problems.length > 0 && (
        <div role="alert" className="alert alert-warn">
          <strong>Missing from this digest</strong>
          <ul>
            {d.problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </div>
      )}
      {d.entries.length === 0 && <p className="card muted">No new papers matched this day.</p>}
      {d.entries.map((e) => (
        <EntryCard key={e.arxivId} entry={e} />
      ))}
    </div>
  );
}

function SearchArea() {
  const [draft, setDraft] = useState('');
  const [query, setQuery] = useState('');
  const results = usePaperSearch(query);
  if (results.isError) throw results.error;
  return (
    <div>
      <form
        aria-label="Search the archive"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          setQuery(draft);
        }}
      >
        <input
          aria-label="Search papers"
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          placeholder="title, abstract or author"
        />
        <button type="submit" className="button">
          Search
        </button>
      </form>
      {results.data && (
        <ul aria-label="Search results">
          {results.data.papers.map((p) => (
            <li key={p.arxivId}>
              {safeHref(p.url) ? <a href={safeHref(p.url)}>{p.title}</a> : p.title}{' '}
              <span className="muted">{p.authors.slice(0, 3).join(', ')}</span>
            </li>
          ))}
          {results.data.papers.length === 0 && <li className="muted">Nothing matches.</li>}
        </ul>
      )}
    </div>
  );
}

function ProfileArea() {
  const profile = useProfile();
  const save = useSaveProfile();
  const [edit, setEdit] = useState<{ keywords: string; authors: string; categories: string } | null>(null);
  if (profile.isError) throw profile.error;
  if (save.isError) throw save.error;
  const p = profile.data;
  if (!p) return <p className="muted">Loading…</p>;
  const form = edit ?? {
    keywords: p.keywords.join('\n'),
    authors: p.authors.join('\n'),
    categories: p.categories.join(', '),
  };
  return (
    <form
      aria-label="Interest profile"
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        save.mutate(
          {
            keywords: toList(form.keywords),
            authors: toList(form.authors),
            categories: toList(form.categories),
          },
          { onSuccess: () => setEdit(null) },
        );
      }}
    >
      {(['keywords', 'authors', 'categories'] as const).map((field) => (
        <label key={field} style={{ display: 'block' }}>
          {field}
          <textarea
            rows={3}
            value={form[field]}
            onChange={(e) => setEdit({ ...form, [field]: e.target.value })}
          />
        </label>
      ))}
      <p className="muted">
        Feedback: {p.liked.length} liked, {p.disliked.length} disliked
      </p>
      <button type="submit" className="button" disabled={save.isPending}>
        Save profile
      </button>
    </form>
  );
}

/** The paper digest: the day's digest (or a chosen day), the archive search, and the interest profile. */
export function PapersPage() {
  const [params, setParams] = useSearchParams();
  const digests = useDigests();
  if (digests.isError) throw digests.error;
  const day = params.get('day') ?? digests.data?.digests[0]?.id;
  return (
    <section>
      <PageHeader title="Papers">
        <p className="muted">
          The team's daily AI papers, ranked with reasons and summarized. Posted by{' '}
          <code>alignboard papers schedule</code>.
        </p>
      </PageHeader>
      <ErrorBoundary area="Digest days">
        <nav aria-label="Digest days">
          {digests.data?.digests.map((d) => (
            <button
              key={d.id}
              type="button"
              className="button"
              aria-pressed={d.id === day}
              onClick={() => setParams({ day: d.id })}
            >
              {d.id}
            </button>
          ))}
        </nav>
      </ErrorBoundary>
      <ErrorBoundary area="Digest">
        <DigestArea day={day} />
      </ErrorBoundary>
      <h2>Archive</h2>
      <ErrorBoundary area="Search">
        <SearchArea />
      </ErrorBoundary>
      <h2>Interest profile</h2>
      <ErrorBoundary area="Profile">
        <ProfileArea />
      </ErrorBoundary>
    </section>
  );
}

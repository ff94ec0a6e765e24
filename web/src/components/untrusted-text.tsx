/**
 * Model output and dataset text: untrusted, so it is rendered as text in a pre block — never as
 * HTML, never as a link. React escapes the string; no markup in it can run.
 */
export function UntrustedText({ text, label }: { text: string; label?: string }) {
  return (
    <pre className="untrusted-text" title={label}>
      {text}
    </pre>
  );
}

import { Component, type ErrorInfo, type ReactNode } from 'react';
import { ApiError } from '../api/client';

interface Props {
  children: ReactNode;
  /** Names the area in the message, e.g. "Leaderboard". */
  area?: string;
}

interface State {
  error: Error | null;
}

/**
 * Catches a render or data error in one area of a page and shows its code and message,
 * the same located error the CLI prints, while the rest of the page keeps working.
 */
export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    // The browser console is the only log a web page has.
    console.warn('area failed', this.props.area, error, info.componentStack);
  }

  override render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    const code = error instanceof ApiError ? error.code : 'AB_WEB_ERROR';
    return (
      <div role="alert" className="alert alert-error">
        <strong>{this.props.area ? `${this.props.area} failed` : 'Something failed'}</strong>
        <code className="error-code">{code}</code>
        <p>{error.message}</p>
        <button type="button" className="button" onClick={() => this.setState({ error: null })}>
          Try again
        </button>
      </div>
    );
  }
}

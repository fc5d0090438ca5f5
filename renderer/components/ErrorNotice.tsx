// An error as a person reads it: a title and a hint from errors/messages.ts, never a stack trace
// or a raw message. Props only.

import { describeError, type ErrorLike } from '../errors/messages.js';

export interface ErrorNoticeProps {
  readonly error: ErrorLike;
  readonly onDismiss?: () => void;
  readonly onRetry?: () => void;
  readonly compact?: boolean;
}

export function ErrorNotice({ error, onDismiss, onRetry, compact }: ErrorNoticeProps) {
  const { title, hint } = describeError(error);
  return (
    <div className={`notice notice-error ${compact ? 'notice-compact' : ''}`} role="alert" data-code={error.code}>
      <div className="notice-text">
        <strong className="notice-title">{title}</strong>
        <span className="notice-hint">{hint}</span>
      </div>
      {(onRetry || onDismiss) && (
        <div className="notice-actions">
          {onRetry && (
            <button type="button" className="button" onClick={onRetry}>
              Try again
            </button>
          )}
          {onDismiss && (
            <button type="button" className="button button-quiet" onClick={onDismiss} aria-label="Dismiss">
              Dismiss
            </button>
          )}
        </div>
      )}
    </div>
  );
}

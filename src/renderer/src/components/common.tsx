import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Localized } from '../../../core/diagnosis/types';
import { humanizeCodes } from '../../../core/diagnosis/words';
import { fullWidthZh } from '../../../core/i18n/punctuation';
import { currentLang, useStore } from '../store';

/** Text of a Localized value in the UI language (any internal code left in it, e.g. from an older saved session, said in words). */
export function useL(): (l: Localized) => string {
  const lang = useStore((s) => currentLang(s));
  return (l) => {
    const text = humanizeCodes(l[lang] || l.en, lang);
    return lang === 'zh-CN' ? fullWidthZh(text) : text;
  };
}

/** Plain text that may carry codes (evidence lines) in the UI language's words. */
export function useWords(): (text: string) => string {
  const lang = useStore((s) => currentLang(s));
  return (text) => humanizeCodes(text, lang);
}

export function CopyButton({ text, label }: { text: string; label?: string }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const id = setTimeout(() => setCopied(false), 1500);
    return () => clearTimeout(id);
  }, [copied]);
  return (
    <button
      type="button"
      className="btn small"
      aria-label={`${t('verdict.copy')}${label ? `: ${label}` : ''}`}
      onClick={() => {
        void navigator.clipboard.writeText(text).then(() => setCopied(true));
      }}
    >
      {copied ? t('verdict.copied') : t('verdict.copy')}
    </button>
  );
}

/** A native <dialog>: focus is trapped and Escape closes it. */
export function Modal({ title, onClose, children, labelledBy }: { title: string; onClose: () => void; children: ReactNode; labelledBy: string }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      className="modal"
      aria-labelledby={labelledBy}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <h2 id={labelledBy}>{title}</h2>
      {children}
    </dialog>
  );
}

export function StatusIcon({ status }: { status: string }) {
  const glyph: Record<string, string> = { pass: '✓', fail: '✕', warn: '!', unknown: '?', skipped: '–', start: '…', pending: '·', done: '✓', error: '!' };
  return (
    <span className={`status-icon s-${status}`} aria-hidden="true">
      {glyph[status] ?? '·'}
    </span>
  );
}

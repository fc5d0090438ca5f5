// Where in the vault's folders the list is: each part is a button that goes there.

import { showBidiControls } from '../../app/text/bidi.js';
import { breadcrumbs } from '../features/browse/browse-logic.js';

export interface BreadcrumbsProps {
  readonly folder: string;
  readonly rootName: string;
  readonly onNavigate: (folder: string) => void;
}

export function Breadcrumbs({ folder, rootName, onNavigate }: BreadcrumbsProps) {
  const parts = breadcrumbs(folder, rootName);
  return (
    <nav aria-label="Folder" className="breadcrumbs">
      <ol>
        {parts.map((p, i) => (
          <li key={p.path}>
            {i === parts.length - 1 ? (
              <span aria-current="location" className="crumb crumb-current">
                {showBidiControls(p.name)}
              </span>
            ) : (
              <button type="button" className="crumb" onClick={() => onNavigate(p.path)}>
                {showBidiControls(p.name)}
              </button>
            )}
          </li>
        ))}
      </ol>
    </nav>
  );
}

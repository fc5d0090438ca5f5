// The search field over the item list. Props only.

export interface SearchBoxProps {
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly resultCount: number | null;
}

export function SearchBox({ value, onChange, resultCount }: SearchBoxProps) {
  return (
    <div className="search" role="search">
      <input
        type="search"
        className="input search-input"
        placeholder="Search names and folders"
        aria-label="Search items"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape' && value !== '') {
            e.preventDefault();
            onChange('');
          }
        }}
      />
      {value !== '' && resultCount !== null && (
        <span className="search-count" aria-live="polite">
          {resultCount.toLocaleString()} {resultCount === 1 ? 'match' : 'matches'}
        </span>
      )}
    </div>
  );
}

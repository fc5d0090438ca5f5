// esbuild bundles `import './styles.css'` into app.css; this tells the typechecker such imports exist.
declare module '*.css';

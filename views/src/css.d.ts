// esbuild puts imported CSS into the view's one <style> element.
declare module '*.css';

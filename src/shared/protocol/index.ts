// The message protocol between the extension host and its webviews: the generic envelope and
// schema kit, then each view's own messages.
export * from './kit';
export * from './instance';
export * from './hub';

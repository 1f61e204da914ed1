import Link from 'next/link';

/** What a run page shows in a static export made before any run existed (the placeholder NO_RUN route). */
export function NoRunsNotice() {
  return (
    <p className="notice">
      No trained runs yet. <Link href="/">The home page</Link> says how to make them.
    </p>
  );
}

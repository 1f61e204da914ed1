import type { Metadata, Viewport } from 'next';
import Link from 'next/link';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'twinnet gallery', template: '%s · twinnet gallery' },
  description:
    'Siamese networks on MNIST and Fashion-MNIST: embeddings, test pairs, curves and a one-shot demo.',
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="site-header">
          <Link href="/" className="brand">
            twinnet <span className="muted">gallery</span>
          </Link>
          <span className="muted small">
            Siamese networks on MNIST and Fashion-MNIST, run in your browser
          </span>
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}

package quarry.project;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A native resource (a model) that request threads use while a background thread replaces it: the
 * old one is closed only when its last user lets go.
 */
final class Shared<T extends AutoCloseable> {

    /** One use of the resource; closing it lets go. */
    final class Use implements AutoCloseable {
        private boolean closed;

        T get() {
            return value;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                release();
            }
        }
    }

    private final T value;
    /** One for the holder (until {@link #retire}) plus one per open use. */
    private final AtomicInteger refs = new AtomicInteger(1);

    Shared(T value) {
        this.value = value;
    }

    /** A use, or null when the resource is already closed. */
    Use tryUse() {
        while (true) {
            int n = refs.get();
            if (n == 0) {
                return null;
            }
            if (refs.compareAndSet(n, n + 1)) {
                return new Use();
            }
        }
    }

    /** The holder lets go: the resource closes once no use is open. */
    void retire() {
        release();
    }

    private void release() {
        if (refs.decrementAndGet() == 0) {
            try {
                value.close();
            } catch (Exception e) {
                throw new IllegalStateException("cannot close " + value, e);
            }
        }
    }
}

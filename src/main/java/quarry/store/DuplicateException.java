package quarry.store;

/** A write would duplicate something that must be unique (a project name, a document id). */
public final class DuplicateException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public DuplicateException(String message) {
        super(message);
    }
}

package quarry.core;

import java.util.Map;

/**
 * A request the application refuses for a reason the caller can act on. Each subclass is one kind
 * (not found, conflict, invalid input, forbidden); the HTTP layer maps the kind to a status code
 * in one place, and the CLI prints the message. {@code code} is a stable word for programs,
 * {@code details} the specifics (the allowed values, the offending line).
 */
public abstract class DomainException extends QuarryException {

    private static final long serialVersionUID = 1L;

    private final String code;
    private final transient Map<String, Object> details;

    protected DomainException(String code, String message, Map<String, Object> details) {
        super(message);
        this.code = code;
        this.details = details == null ? Map.of() : Map.copyOf(details);
    }

    public String code() {
        return code;
    }

    public Map<String, Object> details() {
        return details;
    }

    /** Something named by the caller does not exist. */
    public static final class NotFound extends DomainException {
        private static final long serialVersionUID = 1L;

        public NotFound(String message) {
            super("not_found", message, null);
        }
    }

    /** The request clashes with the current state (a lease held by another, a name taken, no model yet). */
    public static final class Conflict extends DomainException {
        private static final long serialVersionUID = 1L;

        public Conflict(String message) {
            this("conflict", message, null);
        }

        public Conflict(String code, String message, Map<String, Object> details) {
            super(code, message, details);
        }
    }

    /** The caller sent something malformed or outside what is allowed. */
    public static final class InvalidInput extends DomainException {
        private static final long serialVersionUID = 1L;

        public InvalidInput(String message) {
            this("bad_request", message, null);
        }

        public InvalidInput(String code, String message, Map<String, Object> details) {
            super(code, message, details);
        }
    }

    /** The caller is known but may not do this. */
    public static final class Forbidden extends DomainException {
        private static final long serialVersionUID = 1L;

        public Forbidden(String message) {
            super("forbidden", message, null);
        }
    }
}

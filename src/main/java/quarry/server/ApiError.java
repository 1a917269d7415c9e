package quarry.server;

import java.util.List;

/**
 * A request that cannot be served, with the HTTP status and a JSON body
 * {@code {error, message, details}}: {@code error} a stable code for programs, {@code message}
 * words for people, {@code details} the specifics (problems found, the allowed values).
 */
final class ApiError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String error;
    private final transient Object details;

    public ApiError(int status, String error, String message, Object details) {
        super(message);
        this.status = status;
        this.error = error;
        this.details = details == null ? List.of() : details;
    }


    public int status() {
        return status;
    }

    public String error() {
        return error;
    }

    public Object details() {
        return details;
    }

    /** The JSON body of an error response. */
    public record Body(String error, String message, Object details) {
    }

    public Body body() {
        return new Body(error, getMessage(), details);
    }
}

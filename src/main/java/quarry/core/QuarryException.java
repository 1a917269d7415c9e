package quarry.core;

/**
 * A problem a user can fix (a missing file, a bad setting, bad input). The message is meant to be
 * shown as it is, so it names the thing that is wrong.
 */
public class QuarryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public QuarryException(String message) {
        super(message);
    }

    public QuarryException(String message, Throwable cause) {
        super(message, cause);
    }
}

package quarry.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Process memory as the kernel counts it, native libraries included (Linux only). */
public final class Memory {

    private Memory() {
    }

    /** Peak resident set size so far, in MiB, or -1 where /proc is not there. */
    public static long peakRssMiB() {
        return statusField("VmHWM:");
    }

    /**
     * Starts a new peak: Linux resets VmHWM to the current RSS when "5" is written to
     * /proc/self/clear_refs. Returns false where that is not possible.
     */
    public static boolean resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | SecurityException e) {
            return false;
        }
    }

    public static long rssMiB() {
        return statusField("VmRSS:");
    }

    /** Peak resident set size of another process, in MiB, or -1 where it cannot be read. */
    public static long peakRssMiB(long pid) {
        return statusField(Path.of("/proc", Long.toString(pid), "status"), "VmHWM:");
    }

    /** Resident set size of another process, in MiB, or -1 where it cannot be read. */
    public static long rssMiB(long pid) {
        return statusField(Path.of("/proc", Long.toString(pid), "status"), "VmRSS:");
    }

    private static long statusField(String field) {
        return statusField(Path.of("/proc/self/status"), field);
    }

    private static long statusField(Path status, String field) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.substring(field.length()).replace("kB", "").trim()) / 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}

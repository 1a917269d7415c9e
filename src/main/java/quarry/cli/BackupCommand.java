package quarry.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import quarry.core.QuarryException;
import quarry.project.WorkspaceBackup;

/** {@code quarry backup}: a workspace into one file, while its server runs. */
@Command(name = "backup", mixinStandardHelpOptions = true,
        description = "Back a workspace up into one file while its server keeps running: an online copy of the"
                + " SQLite database, the model versions and fine-tuned encoders. Vector indexes and the embedding"
                + " cache are left out; the server rebuilds them. For a PostgreSQL database use pg_dump.")
public final class BackupCommand implements Callable<Integer> {

    @Option(names = {"--workspace", "--data-dir"}, paramLabel = "DIR", required = true,
            description = "the workspace folder (serve's --data-dir)")
    Path workspace;

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "the backup file to write (new)")
    Path out;

    @Option(names = "--db", paramLabel = "URL", description = "the server's --db, when it runs on PostgreSQL")
    String db;

    @Override
    public Integer call() {
        if (db != null) {
            // The URL is not repeated: it may hold a password.
            throw new QuarryException("a workspace on PostgreSQL keeps its data in the database, not in the folder:"
                    + " back it up with pg_dump -Fc and restore it with pg_restore (README, Operations)");
        }
        long start = System.nanoTime();
        int files = WorkspaceBackup.backup(workspace, out);
        System.out.printf("backed up %s into %s: %d files in %.1f s%n", workspace, out, files,
                (System.nanoTime() - start) / 1e9);
        return 0;
    }
}

package quarry.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import quarry.project.WorkspaceBackup;

/** {@code quarry restore}: a backup back into a workspace folder. */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = "Restore a backup made by 'quarry backup' as a workspace folder. It is unpacked and checked"
                + " beside the folder and moved in whole; a folder a running server holds is never touched.")
public final class RestoreCommand implements Callable<Integer> {

    @Option(names = "--from", paramLabel = "FILE", required = true, description = "the backup file")
    Path from;

    @Option(names = {"--workspace", "--data-dir"}, paramLabel = "DIR", required = true,
            description = "the workspace folder to restore into")
    Path workspace;

    @Option(names = "--force", description = "replace an existing workspace folder (never one a server holds open)")
    boolean force;

    @Override
    public Integer call() {
        WorkspaceBackup.Restored r = WorkspaceBackup.restore(from, workspace, force);
        System.out.println("restored " + from + " (taken " + r.created() + ", schema version " + r.schemaVersion()
                + ", " + r.files() + " files) into " + r.workspace() + "; the server re-embeds and re-indexes the"
                + " documents on its first start");
        return 0;
    }
}

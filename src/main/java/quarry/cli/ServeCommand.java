package quarry.cli;

import io.javalin.Javalin;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import quarry.encode.Encoders;
import quarry.server.Server;
import quarry.server.Workspace;

/** The main job: the workbench server over a workspace folder. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Start the workbench: the labeling page at /, the REST API under /api/, OpenAPI at"
                + " /openapi.json. The first start creates a workspace with a demo project and prints an admin token.")
public final class ServeCommand implements Callable<Integer> {

    @Option(names = "--port", paramLabel = "N", defaultValue = "7070", description = "port (0: any free port)")
    int port;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "workspace folder: database, models, indexes (default: data/workspace)")
    Path dataDir;

    @Option(names = "--no-demo", description = "do not create the demo project in a new workspace")
    boolean noDemo;

    @Option(names = "--max-upload-mb", paramLabel = "N", defaultValue = "2048",
            description = "largest import or batch-prediction upload")
    long maxUploadMb;

    @Override
    public Integer call() throws InterruptedException {
        Path dir = dataDir != null ? dataDir : Encoders.modelsDir().resolveSibling("data").resolve("workspace");
        Workspace workspace = Workspace.open(dir, !noDemo);
        Javalin app = Server.create(workspace, maxUploadMb << 20).start(port);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.stop();
            workspace.close();
            stopped.countDown();
        }, "quarry-shutdown"));
        System.out.println("Quarry workspace: " + workspace.dir());
        if (workspace.firstAdminToken() != null) {
            System.out.println("Admin token (shown once, keep it): " + workspace.firstAdminToken());
        }
        System.out.println("Quarry is running at http://localhost:" + app.port() + "/");
        System.out.flush();
        stopped.await();
        return 0;
    }
}

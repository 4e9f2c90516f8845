import com.amazonaws.services.dynamodbv2.local.server.LocalDynamoDBRequestHandler;
import com.amazonaws.services.dynamodbv2.local.server.LocalDynamoDBServerHandler;
import java.lang.reflect.Constructor;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;

/**
 * Starts DynamoDB Local (in memory, Streams included) for the project's local stack, differing from its own
 * command line in two ways:
 *
 * <ul>
 *   <li>it listens on the given host only (the stock launcher binds every interface);
 *   <li>its test-control actions are on (a PutItem to the table "[TEST_CONTROL]" with ACTION = ROLLOVER or
 *       DILATE_TIME), so tests can force a shard rollover or age stream records past their 24 h retention on
 *       the real server. The command line has no switch for them; the request handler's package-private
 *       constructor has a flag.
 * </ul>
 *
 * Usage: DynamoDbLocalLauncher HOST PORT
 */
public final class DynamoDbLocalLauncher {
  private DynamoDbLocalLauncher() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: DynamoDbLocalLauncher HOST PORT");
      System.exit(2);
    }
    String host = args[0];
    int port = Integer.parseInt(args[1]);

    // (unused, inMemory, dbPath, sharedDb, delayTransientStatuses, testControlEnabled)
    Constructor<LocalDynamoDBRequestHandler> constructor =
        LocalDynamoDBRequestHandler.class.getDeclaredConstructor(
            int.class, boolean.class, String.class, boolean.class, boolean.class, boolean.class);
    constructor.setAccessible(true);
    LocalDynamoDBRequestHandler requestHandler = constructor.newInstance(0, true, null, false, false, true);

    ContextHandler context = new ContextHandler("/");
    context.setHandler(new LocalDynamoDBServerHandler(requestHandler, "*"));

    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost(host);
    connector.setPort(port);
    server.addConnector(connector);
    server.setHandler(context);
    server.setStopAtShutdown(true);
    server.start();
    System.out.println("DynamoDB Local listening on " + host + ":" + port + " (in memory, test control on)");
    server.join();
  }
}

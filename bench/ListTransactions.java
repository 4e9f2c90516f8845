import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TransactionListing;

/**
 * The broker's view of transactional producers, for the scale probe: prints "id state" for every transactional
 * id starting with args[1]. Run with java's single-file launcher on the Kafka jars `stack up` installed.
 */
public class ListTransactions {
  public static void main(String[] args) throws Exception {
    Properties properties = new Properties();
    properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    try (Admin admin = Admin.create(properties)) {
      for (TransactionListing listing : admin.listTransactions().all().get()) {
        if (listing.transactionalId().startsWith(args[1])) System.out.println(listing.transactionalId() + " " + listing.state());
      }
    }
  }
}

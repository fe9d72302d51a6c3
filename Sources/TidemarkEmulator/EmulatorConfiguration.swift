/// How an emulator instance is set up.
public struct EmulatorConfiguration: Sendable {
    /// Loopback address to bind; port 0 picks a free port.
    public var host: String
    public var port: Int
    /// Basic-auth credentials the emulator accepts.
    public var user: String
    public var password: String
    /// Number of generated drives (`drive-0001` …) to start with.
    public var seedDrives: Int
    /// Number of generated Danube VMs (`vm-0001.example.com` …, two disks each) and Freezer clients (`node-0001` …).
    public var seedVMs: Int
    /// A fixture with drives, tags, schedulers and snapshots to start with.
    public var fixture: EmulatorFixture?
    /// False models a location without native scheduling: `/backupschedulers/` answers 404.
    public var backupSchedulersEnabled: Bool
    /// Faults to inject from the start; `/_admin/faults` changes them at run time.
    public var faults: FaultPlan

    public init(
        host: String = "127.0.0.1", port: Int = 0, user: String = EmulatorCredentials.user, password: String = EmulatorCredentials.password,
        seedDrives: Int = 0, seedVMs: Int = 0, fixture: EmulatorFixture? = nil, backupSchedulersEnabled: Bool = true,
        faults: FaultPlan = FaultPlan()
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.seedDrives = seedDrives
        self.seedVMs = seedVMs
        self.fixture = fixture
        self.backupSchedulersEnabled = backupSchedulersEnabled
        self.faults = faults
    }

    /// The admin endpoint exists only when the emulator listens on loopback.
    var isLoopback: Bool { ["127.0.0.1", "::1", "localhost"].contains(host) }
}

/// The bit sets of cron's day fields with every value set: bit N stands for month, day of the month or weekday N.
public enum DayMask {
    /// Months 1–12.
    public static let allMonths: UInt16 = 0x1FFE
    /// Days 1–31.
    public static let allDaysOfMonth: UInt32 = 0xFFFF_FFFE
    /// Weekdays 0 (Sunday) – 6.
    public static let allDaysOfWeek: UInt8 = 0x7F
}

namespace FraudTf.Promotion;

#pragma warning disable CS1591
public static partial class Commands
{
    public static int Promote(string root, Options o) => throw new UserError("not yet");
    public static int PlanSummary(string root, Options o) => throw new UserError("not yet");
    public static int GuardPlan(string root, Options o) => throw new UserError("not yet");
    public static int GuardPromotion(string root, Options o) => throw new UserError("not yet");
    public static int Receipt(string root, Options o) => throw new UserError("not yet");
}

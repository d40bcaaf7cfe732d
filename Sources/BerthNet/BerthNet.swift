// placeholder until the IP library lands
public enum BerthNetPlaceholder {}

enum TidemarkReconcilePlaceholder {}

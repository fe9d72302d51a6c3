enum TidemarkProvidersPlaceholder {}

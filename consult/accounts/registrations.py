"""What accounts adds to "download my data": the account, residences and notifications."""
from consult.accounts import services
from consult.core.registries import personal

personal("account")(services.export_account)
personal("residences")(services.export_residences)
personal("notifications")(services.export_notifications)

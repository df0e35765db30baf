# -*- coding: utf-8 -*-

################################################################################
## Form generated from reading UI file 'dashboard.ui'
##
## Created by: Qt User Interface Compiler version 6.11.3
##
## WARNING! All changes made in this file will be lost when recompiling UI file!
################################################################################

from PySide6.QtCore import (QCoreApplication, QDate, QDateTime, QLocale,
    QMetaObject, QObject, QPoint, QRect,
    QSize, QTime, QUrl, Qt)
from PySide6.QtGui import (QBrush, QColor, QConicalGradient, QCursor,
    QFont, QFontDatabase, QGradient, QIcon,
    QImage, QKeySequence, QLinearGradient, QPainter,
    QPalette, QPixmap, QRadialGradient, QTransform)
from PySide6.QtWidgets import (QApplication, QHBoxLayout, QLabel, QSizePolicy,
    QSpacerItem, QVBoxLayout, QWidget)

class Ui_Dashboard(object):
    def setupUi(self, Dashboard):
        if not Dashboard.objectName():
            Dashboard.setObjectName(u"Dashboard")
        Dashboard.resize(1600, 900)
        Dashboard.setStyleSheet(u"QWidget#Dashboard { background: #101418; }\n"
"QLabel { color: #f5f5f5; }\n"
"QLabel#shotLabel { font-size: 44pt; font-weight: bold; }\n"
"QLabel#statusLabel { font-size: 30pt; font-weight: bold; padding: 2px 18px; border-radius: 8px; }\n"
"QLabel#timeLabel, QLabel#commentLabel { font-size: 20pt; color: #cfd8dc; }\n"
"QLabel#settingsLabel { font-size: 18pt; color: #b0bec5; }\n"
"QLabel#footerLabel { font-size: 12pt; color: #90a4ae; }\n"
"QLabel#plotReadout { font-size: 14pt; color: #eceff1; }")
        self.mainLayout = QVBoxLayout(Dashboard)
        self.mainLayout.setSpacing(6)
        self.mainLayout.setObjectName(u"mainLayout")
        self.headerLayout = QHBoxLayout()
        self.headerLayout.setObjectName(u"headerLayout")
        self.shotLabel = QLabel(Dashboard)
        self.shotLabel.setObjectName(u"shotLabel")

        self.headerLayout.addWidget(self.shotLabel)

        self.statusLabel = QLabel(Dashboard)
        self.statusLabel.setObjectName(u"statusLabel")

        self.headerLayout.addWidget(self.statusLabel)

        self.headerSpacer = QSpacerItem(0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.headerLayout.addItem(self.headerSpacer)

        self.timeLabel = QLabel(Dashboard)
        self.timeLabel.setObjectName(u"timeLabel")

        self.headerLayout.addWidget(self.timeLabel)


        self.mainLayout.addLayout(self.headerLayout)

        self.commentLabel = QLabel(Dashboard)
        self.commentLabel.setObjectName(u"commentLabel")

        self.mainLayout.addWidget(self.commentLabel)

        self.settingsLabel = QLabel(Dashboard)
        self.settingsLabel.setObjectName(u"settingsLabel")

        self.mainLayout.addWidget(self.settingsLabel)

        self.plotsLayout = QVBoxLayout()
        self.plotsLayout.setObjectName(u"plotsLayout")

        self.mainLayout.addLayout(self.plotsLayout)

        self.footerLabel = QLabel(Dashboard)
        self.footerLabel.setObjectName(u"footerLabel")

        self.mainLayout.addWidget(self.footerLabel)


        self.retranslateUi(Dashboard)

        QMetaObject.connectSlotsByName(Dashboard)
    # setupUi

    def retranslateUi(self, Dashboard):
        Dashboard.setWindowTitle(QCoreApplication.translate("Dashboard", u"Gilgamesh \u2014 control room", None))
        self.shotLabel.setText(QCoreApplication.translate("Dashboard", u"Shot \u2014", None))
        self.statusLabel.setText(QCoreApplication.translate("Dashboard", u"waiting", None))
        self.timeLabel.setText("")
        self.commentLabel.setText("")
        self.settingsLabel.setText("")
        self.footerLabel.setText(QCoreApplication.translate("Dashboard", u"Follows the newest shot. Esc leaves full screen.", None))
    # retranslateUi

